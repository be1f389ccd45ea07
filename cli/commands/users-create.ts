import { CLI_META } from "@/lib/audit/request-meta";
import { createUser } from "@/lib/users/create-user";

import { parseFlags } from "../args";

export const summary = "Create a user";
export const usage = "npm run cli -- users:create --email E --name N --role therapist|analyst|admin --password P [--credentials LCSW] [--npi 1234567893] [--pii-access]";

export async function run(argv: string[]) {
  const { flags } = parseFlags(argv, {
    email: { required: true },
    name: { required: true },
    role: { required: true },
    password: { required: true },
    credentials: {},
    npi: {},
    "pii-access": { boolean: true },
  });
  const user = await createUser(
    {
      email: String(flags.email),
      name: String(flags.name),
      role: String(flags.role) as "therapist",
      password: String(flags.password),
      credentials: flags.credentials as string | undefined,
      npi: flags.npi as string | undefined,
      pii_access: flags["pii-access"] === true,
    },
    { userId: null, label: "cli" },
    CLI_META,
  );
  console.log(`Created ${user.role.toLowerCase()} ${user.email} (${user.id})`);
}
