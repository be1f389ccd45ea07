"use client";

// Server-side sorting kept in the URL (?sort=&order=), so a sorted list can be shared and paged:
// the server page reads the same parameters and sorts in the database.
import type { SortingState } from "@tanstack/react-table";
import { usePathname, useRouter, useSearchParams } from "next/navigation";

export function useUrlSorting(defaults: { sort: string; order: "asc" | "desc" }, sortable: readonly string[]) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const sort = searchParams.get("sort") ?? defaults.sort;
  const order = searchParams.get("order") === "desc" ? "desc" : searchParams.get("order") === "asc" ? "asc" : defaults.order;
  const sorting: SortingState = [{ id: sort, desc: order === "desc" }];

  function onSortingChange(next: SortingState) {
    const first = next[0];
    if (!first || !sortable.includes(first.id)) return;
    const params = new URLSearchParams(searchParams.toString());
    params.set("sort", first.id);
    params.set("order", first.desc ? "desc" : "asc");
    // A new order starts at its first page.
    params.delete("page");
    router.push(`${pathname}?${params.toString()}`, { scroll: false });
  }

  return { sorting, onSortingChange };
}
