/** A page whose feature is not built yet: says so plainly instead of pretending. */
export function PlannedPage({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <>
      <div className="page-header">
        <h1>{title}</h1>
      </div>
      <div className="card">
        <span className="badge badge-warn">Not available yet</span>
        <div style={{ marginTop: 10 }}>{children}</div>
      </div>
    </>
  );
}
