// Word lists for the demo generator. All people, numbers and places it builds from these are
// synthetic; the lists are only diverse enough that the data looks like a real caseload.

export const FEMALE_NAMES = [
  "Maria", "Aisha", "Emily", "Mei", "Priya", "Fatima", "Sofia", "Olivia", "Grace", "Keisha", "Ana", "Nadia", "Hannah", "Yuki", "Chloe", "Leticia",
  "Amara", "Rebecca", "Ngozi", "Elena", "Jasmine", "Linh", "Rosa", "Hye-jin", "Zainab", "Tamara", "Megan", "Camila", "Sarah", "Imani",
  "Valentina", "Deborah", "Esperanza", "Ayesha", "Kateryna", "Monique", "Lucia", "Abigail", "Thi", "Naomi", "Brianna", "Farah", "Dolores", "Ruth",
] as const;

export const MALE_NAMES = [
  "James", "Carlos", "Wei", "Mohammed", "David", "Jamal", "Luis", "Daniel", "Hiroshi", "Omar", "Michael", "Tyrone", "Arjun", "Kwame", "Jose",
  "Ethan", "Dmitri", "Samuel", "Minh", "Andre", "Robert", "Ibrahim", "Diego", "Kevin", "Tomasz", "Marcus", "Rafael", "Chen", "Anthony", "Malik",
  "Patrick", "Emeka", "Juan", "Benjamin", "Sanjay", "Terrence", "Yusuf", "Gregory", "Mateo", "Walter", "Harold", "Eugene",
] as const;

export const NEUTRAL_NAMES = ["Alex", "Jordan", "Taylor", "Riley", "Casey", "Morgan", "Avery", "Quinn", "Rowan", "Sage"] as const;

export const NICKNAMES: Record<string, string> = {
  Robert: "Bob", Michael: "Mike", Anthony: "Tony", Benjamin: "Ben", Rebecca: "Becca", Deborah: "Debbie", Abigail: "Abby", Daniel: "Danny",
  Gregory: "Greg", Patrick: "Pat", Samuel: "Sam", Valentina: "Vale", Kateryna: "Katya", Dolores: "Lola", Esperanza: "Espy", Harold: "Hal",
};

export const FAMILY_NAMES = [
  "Garcia", "Nguyen", "Johnson", "Okafor", "Patel", "Kim", "Rodriguez", "Smith", "Chen", "Williams", "Hernandez", "Khan", "Brown", "Silva",
  "Martinez", "Jones", "Lopez", "Ali", "Davis", "Wang", "Gonzalez", "Miller", "Tran", "Wilson", "Anderson", "Thomas", "Nakamura", "Moore",
  "Jackson", "Perez", "O'Brien", "Haddad", "Kowalski", "Mensah", "Rivera", "Sato", "Taylor", "Cohen", "Petrov", "Adeyemi", "Murphy",
  "Reyes", "Singh", "Baptiste", "Fitzgerald", "Castillo", "Yilmaz", "Novak", "Dubois", "Sullivan", "Owusu", "Pham", "Rossi", "Ivanova",
  "Morales", "Begay", "Lee", "Washington", "Abdullah", "Ortiz", "Kaur", "Freeman", "Ramos", "Goldberg", "Santos", "Kelly", "Mahmoud",
] as const;

/** [city, state, zip, area code, weight]. 036, 102 and 823 are HIPAA Safe Harbor restricted zip3 prefixes. */
export const PLACES = [
  ["Springfield", "MA", "01103", "413", 14],
  ["Springfield", "MA", "01109", "413", 10],
  ["Holyoke", "MA", "01040", "413", 8],
  ["Chicopee", "MA", "01013", "413", 7],
  ["Northampton", "MA", "01060", "413", 6],
  ["Westfield", "MA", "01085", "413", 5],
  ["Amherst", "MA", "01002", "413", 4],
  ["Pittsfield", "MA", "01201", "413", 3],
  ["Worcester", "MA", "01608", "508", 5],
  ["Enfield", "CT", "06082", "860", 4],
  ["Hartford", "CT", "06106", "860", 4],
  ["Brattleboro", "VT", "05301", "802", 2],
  ["Keene", "NH", "03431", "603", 2],
  ["Boston", "MA", "02118", "617", 2],
  ["Albany", "NY", "12208", "518", 1],
  ["Charlestown", "NH", "03603", "603", 1],
  ["Walpole", "NH", "03608", "603", 1],
  ["New York", "NY", "10282", "212", 1],
  ["Rawlins", "WY", "82301", "307", 1],
] as const;

/** The county (FHIR address.district) of each place, for the patients' home addresses. */
export const COUNTIES: Record<string, string> = {
  Springfield: "Hampden County", Holyoke: "Hampden County", Chicopee: "Hampden County", Westfield: "Hampden County",
  Northampton: "Hampshire County", Amherst: "Hampshire County", Pittsfield: "Berkshire County", Worcester: "Worcester County",
  Enfield: "Hartford County", Hartford: "Hartford County", Brattleboro: "Windham County", Keene: "Cheshire County",
  Boston: "Suffolk County", Albany: "Albany County", Charlestown: "Sullivan County", Walpole: "Cheshire County",
  "New York": "New York County", Rawlins: "Carbon County",
};

export const STREETS = [
  "Maple", "Main", "State", "Chestnut", "Elm", "Oak", "Pine", "Walnut", "Union", "Bridge", "High", "Mill", "Summer", "Pleasant", "Liberty",
  "Dwight", "Sumner", "Carew", "Allen", "Boston", "Page", "Cottage", "Harrison", "Franklin", "Orchard", "Park", "Water", "School",
] as const;
export const STREET_TYPES = ["St", "Ave", "Rd", "Dr", "Ln", "Ct", "Blvd", "Way", "Pl"] as const;

export const LANGUAGES = [
  [{ code: "en", display: "English" }, 78],
  [{ code: "es", display: "Spanish" }, 12],
  [{ code: "pt", display: "Portuguese" }, 2],
  [{ code: "vi", display: "Vietnamese" }, 2],
  [{ code: "zh", display: "Chinese" }, 2],
  [{ code: "ar", display: "Arabic" }, 2],
  [{ code: "ru", display: "Russian" }, 1],
  [{ code: "uk", display: "Ukrainian" }, 1],
] as const;

export const MARITAL_STATUSES = [
  [{ code: "S", display: "Never Married" }, 40],
  [{ code: "M", display: "Married" }, 30],
  [{ code: "D", display: "Divorced" }, 14],
  [{ code: "L", display: "Legally Separated" }, 4],
  [{ code: "W", display: "Widowed" }, 6],
  [{ code: "T", display: "Domestic partner" }, 6],
] as const;

export const CONTACT_RELATIONSHIPS = ["mother", "father", "spouse", "partner", "sister", "brother", "friend", "daughter", "son", "aunt"] as const;

export const PAYERS = ["Blue Cross Blue Shield of Massachusetts", "Harvard Pilgrim Health Care", "Tufts Health Plan", "Aetna"] as const;
export const MEDICAID_PAYER = "MassHealth (Medicaid)";

export const CREDENTIALS = [
  ["LCSW", 30],
  ["LMFT", 15],
  ["LPC", 12],
  ["LMHC", 12],
  ["PsyD", 16],
  ["PhD", 15],
] as const;

/** [ICD-10-CM code, display, track, weight]. The track decides the symptom measure. */
export const DIAGNOSES = [
  ["F32.1", "Major depressive disorder, single episode, moderate", "depression", 20],
  ["F33.0", "Major depressive disorder, recurrent, mild", "depression", 12],
  ["F33.1", "Major depressive disorder, recurrent, moderate", "depression", 8],
  ["F41.1", "Generalized anxiety disorder", "anxiety", 20],
  ["F41.0", "Panic disorder without agoraphobia", "anxiety", 5],
  ["F43.10", "Post-traumatic stress disorder, unspecified", "anxiety", 10],
  ["F43.23", "Adjustment disorder with mixed anxiety and depressed mood", "depression", 10],
  ["F90.0", "Attention-deficit hyperactivity disorder, predominantly inattentive type", "anxiety", 6],
  ["F10.20", "Alcohol dependence, uncomplicated", "depression", 4],
  ["F34.1", "Dysthymic disorder", "depression", 5],
] as const;

/** [CPT, display, minutes, weight] for follow-up sessions; 90791 opens every episode. */
export const FOLLOW_UP_CPT = [
  ["90834", "Psychotherapy, 45 minutes with patient", 45, 45],
  ["90837", "Psychotherapy, 60 minutes with patient", 60, 28],
  ["90847", "Family psychotherapy (conjoint psychotherapy) with patient present, 50 minutes", 50, 12],
  ["90853", "Group psychotherapy (other than of a multiple-family group)", 90, 15],
] as const;
export const INTAKE_CPT = ["90791", "Psychiatric diagnostic evaluation", 60] as const;

export const INTERVENTIONS = [
  "Cognitive behavioral therapy (CBT), weekly",
  "Behavioral activation with weekly activity scheduling",
  "Motivational interviewing",
  "Psychoeducation on anxiety and the stress response",
  "Mindfulness-based stress reduction skills",
  "DBT distress tolerance and emotion regulation skills",
  "Trauma-focused CBT",
  "EMDR (after stabilization)",
  "Safety planning, reviewed monthly",
  "Sleep hygiene plan",
  "Family sessions to improve communication",
  "Referral to psychiatry for medication evaluation",
  "Relapse prevention planning",
] as const;

/** [key, title, partner organization index, FHIR category text]. */
export const REFERRAL_SERVICES = [
  ["housing", "Housing support", 0],
  ["food", "Food assistance", 1],
  ["employment", "Employment services", 2],
  ["substance-use", "Substance use treatment", 3],
  ["peer-support", "Peer support group", 4],
] as const;

export const PRESENTING_PROBLEMS = [
  "Low mood most days for several months, trouble getting out of bed, stopped seeing friends.",
  "Constant worry about work and money, can't switch my mind off at night.",
  "Panic attacks on the bus and at the grocery store, now avoiding going out.",
  "Nightmares and feeling on edge since a car accident last year.",
  "Struggling since my divorce, crying a lot and not eating well.",
  "Trouble focusing at school and work, always running late, feel like a failure.",
  "Drinking more than I want to since losing my job.",
  "Grief after my mother passed; everything feels heavy.",
  "Irritable with my kids and partner, sleeping badly, feel overwhelmed.",
] as const;

export const MEDICATIONS = ["None", "Sertraline 50 mg daily", "Escitalopram 10 mg daily", "Bupropion XL 150 mg daily", "Fluoxetine 20 mg daily", "Trazodone 50 mg at bedtime as needed", "Methylphenidate ER 36 mg daily"] as const;

export const REFERRAL_SOURCES = ["My primary care doctor referred me", "Found you online", "A friend recommended the clinic", "School counselor", "Employee assistance program", "Emergency department follow-up", "My insurance company's list"] as const;

export const SUBJECTIVE_LINES = [
  "Client reports mood has been {trend} since last session; sleeping about {sleep} hours a night.",
  "Client describes a stressful week at work and two arguments with family; used breathing exercises twice.",
  "Client states worry is \"a little quieter\" and completed most of the activity log.",
  "Client reports feeling flat and tired, skipped the planned walk on three days.",
  "Client shared that a conversation with their sister went better than expected.",
  "Client reports one panic episode this week, shorter than before, and stayed in the store until it passed.",
] as const;

export const OBJECTIVE_LINES = [
  "Alert and oriented x3, casually dressed, good eye contact. Affect {affect}, speech normal rate and volume.",
  "Appeared tired; affect {affect}. Thought process linear, no evidence of psychosis.",
  "Engaged and cooperative; affect {affect}. Denies SI/HI; safety plan reviewed.",
] as const;

export const ASSESSMENT_LINES = [
  "{score} today. Progress toward goals is {progress}. Continues to meet criteria for {diagnosis}.",
  "Symptoms {trend} relative to intake; {score}. Risk remains low.",
] as const;

export const PLAN_LINES = [
  "Continue weekly sessions. Practice thought records three times before next visit.",
  "Continue behavioral activation; schedule two pleasant activities. Recheck PHQ-9 in two weeks.",
  "Review sleep diary next session. Coordinate with PCP about medication side effects.",
  "Continue skills practice; begin exposure hierarchy next session.",
] as const;

export const ACTION_ITEMS = [
  "Complete thought record x3",
  "Schedule two pleasant activities",
  "Bring sleep diary to next session",
  "Call housing navigator",
  "Practice 4-7-8 breathing daily",
  "Send release of information to PCP",
  "Complete PHQ-9 before next visit",
  "Attend peer support group Thursday",
] as const;
