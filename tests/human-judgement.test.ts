import { describe, expect, it } from "vitest";
import { HUMAN_REWARD_INSTRUCTIONS, parseHumanJudgement } from "../src/nodes/human-judgement.js";
import { makeCandidate, type Candidate } from "../src/state/state.js";

/**
 * A person's answer to the human reward node, checked: what is accepted, and for what is not, the
 * exact message the person is shown (it names what was wrong and how to answer).
 */

const pending = ["a", "b", "c"].map((t) => makeCandidate(t, 1, "update"));
const ids = pending.map((c) => c.id);

function refusal(answer: unknown, pool: Candidate[] = pending, asked: Candidate[] = pending): string {
  const result = parseHumanJudgement(answer, asked, pool);
  if (result.ok) throw new Error(`accepted ${JSON.stringify(answer)}`);
  return result.error;
}

function judged(answer: unknown, pool: Candidate[] = pending, asked: Candidate[] = pending) {
  const result = parseHumanJudgement(answer, asked, pool);
  if (!result.ok) throw new Error(result.error);
  return result.judged;
}

describe("scores by position", () => {
  it("score the candidates in the order they were asked about", () => {
    expect(judged([3, 1.5, -2])).toEqual(pending.map((c, i) => ({ ...c, score: [3, 1.5, -2][i] })));
  });

  it("must be one per candidate", () => {
    expect(refusal([1, 2])).toBe("Got 2 scores for 3 candidates; give one per candidate.");
    expect(refusal([1, 2, 3, 4])).toBe("Got 4 scores for 3 candidates; give one per candidate.");
    expect(refusal([])).toBe("Got 0 scores for 3 candidates; give one per candidate.");
  });

  it("must be finite numbers; the first bad one is named", () => {
    expect(refusal([1, Number.NaN, "x"])).toBe("Score 1 is NaN, not a finite number.");
    expect(refusal([Number.POSITIVE_INFINITY, 1, 2])).toBe("Score 0 is Infinity, not a finite number.");
    expect(refusal([1, 2, "3"])).toBe('Score 2 is "3", not a finite number.');
    expect(refusal([1, null, 2])).toBe("Score 1 is null, not a finite number.");
    expect(refusal([1, 2, undefined])).toBe("Score 2 is undefined, not a finite number.");
  });

  it("quote a long bad value shortened to 120 characters", () => {
    const long = "x".repeat(200);
    expect(refusal([1, 2, long])).toBe(`Score 2 is "${"x".repeat(119)}…, not a finite number.`);
    const fits = "y".repeat(118); // 120 characters with its quotes
    expect(refusal([1, 2, fits])).toBe(`Score 2 is "${fits}", not a finite number.`);
  });
});

describe("scores by id", () => {
  it("score each candidate by its id, in whatever order they come", () => {
    const result = judged({ [ids[2]]: 1, [ids[0]]: 2, [ids[1]]: 3 });
    expect(result.map((c) => [c.id, c.score])).toEqual([
      [ids[0], 2],
      [ids[1], 3],
      [ids[2], 1],
    ]);
  });

  it("refuse an unknown id, a missing one and a bad score, naming it", () => {
    expect(refusal({ [ids[0]]: 1, [ids[1]]: 2, [ids[2]]: 3, zzz: 4 })).toBe('Unknown candidate id "zzz".');
    expect(refusal({ [ids[0]]: 1, [ids[2]]: 3 })).toBe(
      `No score for candidate ${ids[1]}; give one per candidate.`,
    );
    expect(refusal({ [ids[0]]: 1, [ids[1]]: "2", [ids[2]]: 3 })).toBe(
      `The score of ${ids[1]} is "2", not a finite number.`,
    );
    expect(refusal({})).toBe(`No score for candidate ${ids[0]}; give one per candidate.`);
  });
});

describe("a pick of the best and the worst", () => {
  it("ranks the best above and the worst below every score in the pool; the others are judged without a score", () => {
    const pool: Candidate[] = [
      { ...makeCandidate("old", 0, "sample"), score: 7 },
      { ...makeCandidate("older", 0, "sample"), score: -3 },
      ...pending,
    ];
    expect(judged({ best: ids[1], worst: ids[2] }, pool)).toEqual([
      { ...pending[0], judgedWithoutScore: true },
      { ...pending[1], score: 8 },
      { ...pending[2], score: -4 },
    ]);
  });

  it("scores 1 and 0 in a pool with no score yet", () => {
    expect(judged({ best: ids[0], worst: ids[2] }).map((c) => c.score)).toEqual([1, null, 0]);
  });

  it("may pick one candidate as both when it is the only one", () => {
    const [only] = pending;
    expect(judged({ best: only.id, worst: only.id }, [only], [only])).toEqual([{ ...only, score: 1 }]);
    expect(refusal({ best: ids[0], worst: ids[0] })).toBe(
      "The best and the worst pick are the same candidate; pick two different ones.",
    );
  });

  it("must name candidates that were asked about, best first", () => {
    expect(refusal({ best: "nope", worst: ids[0] })).toBe(
      'The best pick "nope" is not the id of a candidate to judge.',
    );
    expect(refusal({ best: ids[0] })).toBe("The worst pick undefined is not the id of a candidate to judge.");
    expect(refusal({ worst: ids[0] })).toBe("The best pick undefined is not the id of a candidate to judge.");
    expect(refusal({ best: 1, worst: ids[0] })).toBe(
      "The best pick 1 is not the id of a candidate to judge.",
    );
    const old = makeCandidate("old", 0, "sample");
    expect(refusal({ best: old.id, worst: ids[0] }, [old, ...pending])).toBe(
      `The best pick "${old.id}" is not the id of a candidate to judge.`,
    );
  });
});

describe("an answer that is neither", () => {
  it.each([
    [null, "null"],
    [7, "7"],
    ["3", '"3"'],
    [true, "true"],
    [undefined, "undefined"],
  ])("%j is refused, quoted", (answer, shown) => {
    expect(refusal(answer)).toBe(`The answer ${shown} is neither scores nor a pick.`);
  });
});

describe("the instructions", () => {
  it("explain the three forms of an answer and what a pick does", () => {
    const text = HUMAN_REWARD_INSTRUCTIONS;
    expect(text).toContain("Resume with one score per candidate, higher is better");
    expect(text).toContain("an array of numbers in the order of");
    expect(text).toContain("an object mapping each candidate id to its score");
    expect(text).toContain('{ "best": id, "worst": id }');
    expect(text).toContain("the best then ranks above every response so far, the worst below");
    expect(text).toContain("the others stay unscored and are never chosen.");
  });
});
