import { describe, expect, it } from "vitest";

import { paintBorders, takePageBorders } from "@/lib/render/pdf-borders";

const grey = "#b5b5b5";

function row(top: number, shared?: { box: Record<string, number>; style: Record<string, unknown>; type: string }) {
  const cell = { type: "TEXT", box: { left: 0.75, top: 0.75, width: 100, height: 20, borderRightWidth: 0.75 }, style: { borderRightColor: grey, borderRightStyle: "solid" } };
  return {
    type: "VIEW",
    box: { left: 54, top, width: 200, height: 21.5, borderTopWidth: 0.75, borderLeftWidth: 0.75 },
    style: { borderTopColor: grey, borderLeftColor: grey, borderTopStyle: "solid", borderLeftStyle: "solid" },
    children: shared ? [cell, shared] : [cell],
  };
}

describe("takePageBorders", () => {
  it("gives each side's inner band in page coordinates and takes the widths off the boxes", () => {
    const table = row(100);
    const page = { type: "PAGE", box: { left: 0, top: 0, width: 612, height: 792 }, children: [{ type: "VIEW", box: { left: 0, top: 10, width: 612, height: 50 }, style: {}, children: [table] }] };
    const bands = takePageBorders(page);

    expect([...bands.keys()]).toEqual([grey]);
    expect(bands.get(grey)).toEqual([
      [54, 110, 200, 0.75], // the row's top
      [54, 110, 0.75, 21.5], // the row's left
      [54 + 0.75 + 100 - 0.75, 110.75, 0.75, 20], // the cell's right, inside the row's frame
    ]);
    expect(table.box.borderTopWidth).toBe(0);
    expect(table.children[0]!.box.borderRightWidth).toBe(0);
    // Everything else in the box stays: the text is placed from it.
    expect(table.children[0]!.box).toMatchObject({ left: 0.75, top: 0.75, width: 100, height: 20 });
  });

  it("leaves dashed, rounded, semi-transparent or mixed-colour borders to react-pdf", () => {
    const odd = (style: Record<string, unknown>) => ({ type: "VIEW", box: { left: 0, top: 0, width: 10, height: 10, borderTopWidth: 1, borderLeftWidth: 1 }, style: { borderTopColor: grey, borderLeftColor: grey, ...style } });
    const nodes = [odd({ borderTopStyle: "dashed" }), odd({ borderTopLeftRadius: 4 }), odd({ opacity: 0.5 }), odd({ borderLeftColor: "#000000" }), odd({ borderTopColor: "rgba(0,0,0,0.5)" })];
    const page = { type: "PAGE", box: { left: 0, top: 0, width: 612, height: 792 }, children: nodes };

    expect(takePageBorders(page).size).toBe(0);
    for (const node of nodes) expect(node.box.borderTopWidth).toBe(1);
  });

  it("gives a node shared by two places its bands at both (a table's repeated header row)", () => {
    const shared = { type: "VIEW", box: { left: 0, top: 0, width: 5, height: 5, borderBottomWidth: 1 }, style: { borderBottomColor: "#000" } };
    const page = { type: "PAGE", box: { left: 0, top: 0, width: 612, height: 792 }, children: [row(100, shared), row(200, shared)] };
    const rects = takePageBorders(page).get("#000")!;

    expect(rects).toEqual([
      [54, 104, 5, 1],
      [54, 204, 5, 1],
    ]);
  });
});

describe("paintBorders", () => {
  it("fills all bands of one colour as one path", () => {
    const calls: string[] = [];
    const file = {
      save: () => calls.push("save"),
      restore: () => calls.push("restore"),
      fillColor: (color: string) => calls.push(`color ${color}`),
      rect: (x: number, y: number, w: number, h: number) => calls.push(`rect ${x} ${y} ${w} ${h}`),
      fill: () => calls.push("fill"),
    };
    paintBorders(file, new Map([["#b5b5b5", [[1, 2, 3, 4], [5, 6, 7, 8]]]]));

    expect(calls).toEqual(["save", "color #b5b5b5", "rect 1 2 3 4", "rect 5 6 7 8", "fill", "restore"]);
  });
});
