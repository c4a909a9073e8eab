import { describe, expect, it } from "vitest";
import { activeFilters, directoryQuery, NO_FILTERS } from "./directory";

describe("the doctors' search", () => {
  it("sends nothing when nothing is chosen", () => {
    expect(directoryQuery(NO_FILTERS)).toEqual({});
    expect(activeFilters(NO_FILTERS)).toBe(0);
  });

  it("sends each chosen filter trimmed, the fee ceiling as a number, and the next page's cursor", () => {
    const filters = { name: " Sis ", specialty: "pediatrics", language: "bm", city: " Ségou ", feeMax: "7500" };
    expect(directoryQuery(filters, "c2")).toEqual({
      name: "Sis", specialty: "pediatrics", language: "bm", city: "Ségou", fee_max: 7500, cursor: "c2",
    });
    expect(activeFilters(filters)).toBe(4);
  });

  it("ignores a blank city or name", () => {
    expect(directoryQuery({ ...NO_FILTERS, name: "  ", city: " " })).toEqual({});
  });
});
