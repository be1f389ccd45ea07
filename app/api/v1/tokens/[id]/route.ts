// DELETE /api/v1/tokens/{id} – revoke one of the caller's API tokens (the policy refuses others'
// unless the caller is an admin; audited token_revoked). Alias of /api/v1/admin/tokens/{id}.
export { DELETE } from "@/app/api/v1/admin/tokens/[id]/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
