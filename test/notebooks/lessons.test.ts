import { describe, expect, it } from "vitest";
import { assignments, describeLessons, lessons } from "../helpers/lessons.js";

describe("the lessons", () => {
  it("there are ten lessons and three assignments", () => {
    expect(lessons).toHaveLength(10);
    expect(assignments.length).toBeGreaterThanOrEqual(3);
  });
});

describeLessons("cpu");
