import Link from "next/link";

/** Previous / next links for a server-rendered, paged list; `hrefFor` keeps the list's filters in the URL. */
export function Pager({ page, pages, hrefFor }: { page: number; pages: number; hrefFor: (page: number) => string }) {
  return (
    <div className="pager">
      <span className="muted small">
        Page {page} of {pages}
      </span>
      {page > 1 && (
        <Link className="btn btn-sm" href={hrefFor(page - 1)}>
          Previous
        </Link>
      )}
      {page < pages && (
        <Link className="btn btn-sm" href={hrefFor(page + 1)}>
          Next
        </Link>
      )}
    </div>
  );
}
