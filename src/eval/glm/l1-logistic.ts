/**
 * L1-regularised logistic regression without intercept on soft labels, the problem that
 * scikit-learn's `LogisticRegression(penalty="l1", solver="liblinear", fit_intercept=False)`
 * solves when each row is given twice (label 1 with weight w·t, label 0 with weight w·(1 − t)):
 *
 *     minimise  ‖β‖₁ + C · Σᵢ wᵢ · [−tᵢ log σ(xᵢ·β) − (1 − tᵢ) log σ(−xᵢ·β)]
 *
 * Solved by proximal Newton steps (coordinate descent on the quadratic model, then a backtracking
 * line search), liblinear's own method, but run to a tight optimality tolerance: liblinear stops
 * at a relative tolerance of 1e-4, so its coefficients sit near this optimum, not on it.
 */
export interface SoftLabelRows {
  /** Row-major features, one array per row, all of the same length. */
  readonly x: readonly (readonly number[])[];
  /** Target probability of label 1, in [0, 1]. */
  readonly target: readonly number[];
  /** Non-negative sample weight. */
  readonly weight: readonly number[];
}

export function fitL1Logistic(rows: SoftLabelRows, C: number): number[] {
  const d = rows.x[0]?.length ?? 0;
  let beta = new Array<number>(d).fill(0);
  let objective = objectiveAt(rows, C, beta);
  const scale = Math.max(1, maxAbs(gradientAt(rows, C, beta).gradient));
  for (let iteration = 0; iteration < 100; iteration++) {
    const { gradient, hessian } = gradientAt(rows, C, beta);
    if (optimalityGap(beta, gradient) <= 1e-12 * scale) break;
    const direction = newtonDirection(beta, gradient, hessian);
    const decrease = dot(gradient, direction) + l1(add(beta, direction)) - l1(beta);
    let step = 1;
    let next = add(beta, direction);
    let nextObjective = objectiveAt(rows, C, next);
    while (nextObjective > objective + 0.01 * step * decrease && step > 1e-12) {
      step /= 2;
      next = add(
        beta,
        direction.map((v) => v * step),
      );
      nextObjective = objectiveAt(rows, C, next);
    }
    if (nextObjective >= objective) break;
    beta = next;
    objective = nextObjective;
  }
  return beta;
}

export function logistic(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function objectiveAt(rows: SoftLabelRows, C: number, beta: readonly number[]): number {
  let loss = 0;
  for (let i = 0; i < rows.x.length; i++) {
    const w = rows.weight[i]!;
    if (w === 0) continue;
    const z = dot(rows.x[i]!, beta);
    const t = rows.target[i]!;
    loss += w * (t * softplus(-z) + (1 - t) * softplus(z));
  }
  return l1(beta) + C * loss;
}

function gradientAt(rows: SoftLabelRows, C: number, beta: readonly number[]) {
  const d = beta.length;
  const gradient = new Array<number>(d).fill(0);
  const hessian = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < rows.x.length; i++) {
    const w = rows.weight[i]!;
    if (w === 0) continue;
    const x = rows.x[i]!;
    const p = logistic(dot(x, beta));
    const g = C * w * (p - rows.target[i]!);
    const h = C * w * p * (1 - p);
    for (let j = 0; j < d; j++) {
      gradient[j]! += g * x[j]!;
      for (let k = 0; k <= j; k++) hessian[j]![k]! += h * x[j]! * x[k]!;
    }
  }
  for (let j = 0; j < d; j++) for (let k = 0; k < j; k++) hessian[k]![j] = hessian[j]![k]!;
  return { gradient, hessian };
}

/** The largest violation of the optimality conditions of ‖β‖₁ + L(β) (0 at the optimum). */
function optimalityGap(beta: readonly number[], gradient: readonly number[]): number {
  let gap = 0;
  for (let j = 0; j < beta.length; j++) {
    const g = gradient[j]!;
    const violation = beta[j]! !== 0 ? Math.abs(g + Math.sign(beta[j]!)) : Math.max(0, Math.abs(g) - 1);
    gap = Math.max(gap, violation);
  }
  return gap;
}

/**
 * argmin over δ of g·δ + ½ δᵀHδ + ‖β + δ‖₁, by cyclic coordinate descent; when that does not converge
 * (it crawls when two features are nearly collinear: one side always the longer), exactly, over
 * the sign patterns of β + δ, for the few features of alpaca_eval's GLMs.
 */
function newtonDirection(
  beta: readonly number[],
  gradient: readonly number[],
  hessian: number[][],
): number[] {
  const few = beta.length <= 3;
  const descent = coordinateDescent(beta, gradient, hessian, few ? 1_000 : 10_000);
  return (!descent.converged && few && exactDirection(beta, gradient, hessian)) || descent.delta;
}

/**
 * Over u = β + δ the model is c·u + ½ uᵀHu + ‖u‖₁ + const, with c = g − Hβ. For each sign pattern s
 * (−1, 0 or +1 per coordinate), the stationary point of its face solves H_FF u_F = −(c_F + s_F) on the
 * nonzero coordinates F; the minimum is the best of the points whose signs agree with their
 * pattern. null when a pattern's system is singular (the minimum may then not be unique).
 */
function exactDirection(
  beta: readonly number[],
  gradient: readonly number[],
  hessian: number[][],
): number[] | null {
  const d = beta.length;
  const c = gradient.map((g, j) => g - dot(hessian[j]!, beta));
  const model = (u: number[]) => {
    const hu = hessian.map((row) => dot(row, u));
    return dot(c, u) + 0.5 * dot(u, hu) + l1(u);
  };
  let best: number[] = new Array<number>(d).fill(0);
  let bestValue = 0;
  for (let pattern = 0; pattern < 3 ** d; pattern++) {
    const signs = Array.from({ length: d }, (_, j) => (Math.floor(pattern / 3 ** j) % 3) - 1);
    const free = signs.flatMap((sign, j) => (sign === 0 ? [] : [j]));
    const solved = solve(
      free.map((j) => free.map((k) => hessian[j]![k]!)),
      free.map((j) => -(c[j]! + signs[j]!)),
    );
    if (solved === null) return null;
    if (solved.some((v, i) => Math.sign(v) !== signs[free[i]!])) continue;
    const u = new Array<number>(d).fill(0);
    free.forEach((j, i) => (u[j] = solved[i]!));
    const value = model(u);
    if (value < bestValue) [best, bestValue] = [u, value];
  }
  return best.map((u, j) => u - beta[j]!);
}

/** A small linear system by Gaussian elimination with partial pivoting; null when singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  const scale = Math.max(1e-300, ...a.flat().map(Math.abs));
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (Math.abs(m[pivot]![col]!) <= 1e-13 * scale) return null;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = col + 1; r < n; r++) {
      const f = m[r]![col]! / m[col]![col]!;
      for (let k = col; k <= n; k++) m[r]![k]! -= f * m[col]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let sum = m[r]![n]!;
    for (let k = r + 1; k < n; k++) sum -= m[r]![k]! * x[k]!;
    x[r] = sum / m[r]![r]!;
  }
  return x;
}

/** The same argmin by cyclic coordinate descent, for at most `sweeps` sweeps. */
function coordinateDescent(
  beta: readonly number[],
  gradient: readonly number[],
  hessian: number[][],
  sweeps: number,
): { delta: number[]; converged: boolean } {
  const d = beta.length;
  const delta = new Array<number>(d).fill(0);
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let change = 0;
    for (let j = 0; j < d; j++) {
      const hjj = Math.max(hessian[j]![j]!, 1e-12);
      let linear = gradient[j]!;
      for (let k = 0; k < d; k++) if (k !== j) linear += hessian[j]![k]! * delta[k]!;
      // over u = β_j + δ_j the model is ½ h (u − a)² + |u| + const, with a = β_j − linear / h
      const a = beta[j]! - linear / hjj;
      const u = Math.sign(a) * Math.max(0, Math.abs(a) - 1 / hjj);
      const next = u - beta[j]!;
      change = Math.max(change, Math.abs(next - delta[j]!));
      delta[j] = next;
    }
    if (change <= 1e-15 * (1 + maxAbs(beta))) return { delta, converged: true };
  }
  return { delta, converged: false };
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function add(a: readonly number[], b: readonly number[]): number[] {
  return a.map((v, i) => v + b[i]!);
}

function l1(a: readonly number[]): number {
  return a.reduce((s, v) => s + Math.abs(v), 0);
}

function maxAbs(a: readonly number[]): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}
