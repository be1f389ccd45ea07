// National Provider Identifiers: 10 digits whose last is a Luhn check digit computed over
// the prefix 80840 + the first nine (CMS NPI standard), so generated NPIs pass real validators.
function luhnSum(digits: string) {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }

  return sum;
}

export function npiCheckDigit(firstNine: string) {
  return String((10 - (luhnSum(`80840${firstNine}`) % 10)) % 10);
}

export function makeNpi(firstNine: string) {
  return `${firstNine}${npiCheckDigit(firstNine)}`;
}

export function isValidNpi(npi: string) {
  return /^[12]\d{9}$/.test(npi) && npiCheckDigit(npi.slice(0, 9)) === npi[9];
}
