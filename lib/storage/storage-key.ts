// One rule for storage keys, whatever the driver: relative, "/"-separated, no "..", no leading
// dot or slash. Keys are built by the job runner, but a key that could climb out of the storage
// directory (or the bucket prefix) is refused here rather than trusted.
const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

export function storageKeyOrThrow(key: string): string {
  if (!SAFE_KEY.test(key) || key.includes("..") || key.includes("//")) throw new Error("invalid storage key");

  return key;
}
