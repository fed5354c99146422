/**
 * WGSL math shared by the unary ops and the GEMM epilogue, written not to depend on IEEE behaviour
 * that WGSL leaves open. Implementations may assume no NaN or Inf: SwiftShader folds `x != x` to false,
 * its `max(NaN, 0)` is 0, `exp(NaN)` is Inf, `log(NaN)` is 89, and `tanh(x)` is NaN for |x| > 89.
 * So NaN and Inf are tested on the bits, NaN is produced from a runtime bit pattern (a NaN constant is
 * a shader-creation error), and exp/tanh/erf are range-reduced by hand.
 */
export const WGSL_FLOAT = /* wgsl */ `
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn is_finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) < 0x7f800000u; }
fn sign_bit(x: f32) -> bool { return (bitcast<u32>(x) & 0x80000000u) != 0u; }
// Sign tests on the bits: float compares may flush subnormals, so -1e-45 < 0 can be false.
fn is_zero(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0u; }
fn is_neg(x: f32) -> bool { return sign_bit(x) && !is_zero(x) && !is_nan(x); }
fn f32_nan() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn f32_inf(negative: bool) -> f32 { var bits = select(0x7f800000u, 0xff800000u, negative); return bitcast<f32>(bits); }

// exp with explicit NaN, overflow and underflow (WGSL leaves all three to the implementation).
fn exp_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x > 88.72283f) { return f32_inf(false); }
  if (x < -103.972f) { return 0.0f; }
  return exp(x);
}

fn sigmoid_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x >= 0.0f) { return 1.0f / (1.0f + exp_(-x)); }
  let e = exp_(x);
  return e / (1.0f + e);
}

// tanh: odd Taylor series near 0 (keeps relative accuracy), (1 - e) / (1 + e) with e = exp(-2|x|) elsewhere.
fn tanh_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  var t: f32;
  if (a < 0.125f) {
    let z = a * a;
    t = a * (1.0f + z * (-0.33333334f + z * (0.13333334f + z * (-0.053968254f + z * 0.021869488f))));
  } else {
    let e = exp_(-2.0f * a);
    t = (1.0f - e) / (1.0f + e);
  }
  return select(t, -t, sign_bit(x));
}

// erf for |x| < 0.5: Maclaurin series to x^13 (truncation < 1e-9 relative).
fn erf_small(x: f32) -> f32 {
  let z = x * x;
  return 1.1283791671f * x * (1.0f + z * (-0.33333334f + z * (0.1f + z * (-0.023809524f + z * (0.0046296296f + z * (-0.00075757576f + z * 0.00010683761f))))));
}

// erfc for z >= 0.5: Numerical Recipes erfcc (Chebyshev fit, relative error < 1.2e-7).
fn erfc_pos(z: f32) -> f32 {
  if (z > 10.0f) { return 0.0f; }
  let t = 1.0f / (1.0f + 0.5f * z);
  let p = -1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));
  return t * exp_(-z * z + p);
}

fn erf_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  let r = select(1.0f - erfc_pos(a), erf_small(a), a < 0.5f);
  return select(r, -r, sign_bit(x));
}

fn erfc_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (abs(x) < 0.5f) { return 1.0f - erf_small(x); }
  if (x > 0.0f) { return erfc_pos(x); }
  return 2.0f - erfc_pos(-x);
}

// Exact GELU, x * Phi(x). For x < 0 it is 0.5 * x * erfc(-x / sqrt 2): no cancellation in 1 + erf.
// gelu(-Inf) is -Inf * 0 = NaN, as the textbook formula evaluated in IEEE arithmetic.
fn gelu_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (is_inf(x)) { return select(x, f32_nan(), x < 0.0f); }
  if (x >= 0.0f) { return 0.5f * x * (1.0f + erf_(x * 0.70710678f)); }
  return 0.5f * x * erfc_(-x * 0.70710678f);
}

// tanh-approximate GELU: 0.5 x (1 + tanh(k)) = x * sigmoid(2k), k = sqrt(2/pi) (x + 0.044715 x^3).
fn gelu_tanh_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (is_inf(x)) { return select(x, f32_nan(), x < 0.0f); }
  let k = 0.7978845608f * (x + 0.044715f * x * x * x);
  return x * sigmoid_(2.0f * k);
}

fn relu_(x: f32) -> f32 { return select(max(x, 0.0f), x, is_nan(x)); }

fn leaky_relu_(x: f32, alpha: f32) -> f32 { return select(x * alpha, x, !is_neg(x)); }

// numpy clip order: min(max(x, lo), hi), so lo > hi gives hi. NaN passes through.
fn clip_(x: f32, lo: f32, hi: f32) -> f32 { return select(min(max(x, lo), hi), x, is_nan(x)); }

fn elu_(x: f32, alpha: f32) -> f32 { return select(alpha * (exp_(x) - 1.0f), x, !sign_bit(x) || is_nan(x)); }

fn hard_sigmoid_(x: f32, alpha: f32, beta: f32) -> f32 { return select(clamp(alpha * x + beta, 0.0f, 1.0f), x, is_nan(x)); }

// e^x - 1: Taylor series to x^9 for |x| < 0.5 (no cancellation), exp_(x) - 1 elsewhere.
fn expm1_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (abs(x) < 0.5f) {
    return x + x * x * (0.5f + x * (0.16666667f + x * (0.041666668f + x * (0.008333334f + x * (0.0013888889f + x * (0.0001984127f + x * (2.4801588e-5f + x * 2.7557319e-6f)))))));
  }
  return exp_(x) - 1.0f;
}

// log(1 + z): 2 atanh(s), s = z / (2 + z), as an odd series for |z| < 0.5 (|s| < 1/3); log(1 + z) elsewhere.
fn log1p_(z: f32) -> f32 {
  if (is_nan(z) || (is_inf(z) && !sign_bit(z))) { return z; }
  if (z == -1.0f) { return f32_inf(true); }
  if (z < -1.0f) { return f32_nan(); }
  if (abs(z) < 0.5f) {
    let s = z / (2.0f + z);
    let q = s * s;
    return 2.0f * s * (1.0f + q * (0.33333334f + q * (0.2f + q * (0.14285715f + q * (0.11111111f + q * (0.09090909f + q * (0.07692308f + q * (0.06666667f + q * 0.05882353f))))))));
  }
  return log(1.0f + z);
}

// atan (Cephes atanf): 1/|x| above tan(3π/8), (|x| − 1)/(|x| + 1) above tan(π/8), then an odd polynomial
fn atan_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  var y0 = 0.0f;
  var t = a;
  if (a > 2.4142137f) { y0 = 1.5707964f; t = -1.0f / a; } else if (a > 0.41421357f) { y0 = 0.7853982f; t = (a - 1.0f) / (a + 1.0f); }
  let z = t * t;
  let y = y0 + ((((8.05374449538e-2f * z - 1.38776856032e-1f) * z + 1.99777106478e-1f) * z - 3.33329491539e-1f) * z * t + t);
  return select(y, -y, sign_bit(x));
}

fn softplus_(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  return max(x, 0.0f) + log1p_(exp_(-abs(x)));
}
`;

/** Expression applying a fused activation to f32 `x`; parameters come from uniforms `act_a`, `act_b`. */
export function activationExpr(kind: string, x: string): string {
  switch (kind) {
    case 'linear':
      return x;
    case 'relu':
      return `relu_(${x})`;
    case 'relu6':
      return `clip_(${x}, 0.0f, 6.0f)`;
    case 'leakyRelu':
      return `leaky_relu_(${x}, u.act_a)`;
    case 'clip':
      return `clip_(${x}, u.act_a, u.act_b)`;
    case 'sigmoid':
      return `sigmoid_(${x})`;
    case 'tanh':
      return `tanh_(${x})`;
    case 'gelu':
      return `gelu_(${x})`;
    case 'elu':
      return `elu_(${x}, u.act_a)`;
    case 'hardSigmoid':
      return `hard_sigmoid_(${x}, u.act_a, u.act_b)`;
    default:
      throw new Error(`activation ${kind} has no WGSL form`);
  }
}
