export function Forbidden({ what = "this page" }: { what?: string }) {
  return (
    <div className="card" role="alert">
      <h1>No access</h1>
      <p className="muted">Your role does not give access to {what}. If you need it, ask an administrator. This refusal has been recorded.</p>
    </div>
  );
}
