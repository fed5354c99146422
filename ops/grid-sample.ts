import { AttributeError, ShapeError, fmtShape } from '../core/errors.js';
import { expectArity, expectDType } from './checks.js';
import { defineOp } from './index.js';
import type { OpDef, Plan, TensorInfo } from './types.js';

export type GridSampleMode = 'linear' | 'nearest' | 'cubic';
export type GridSamplePadding = 'zeros' | 'border' | 'reflection';

export interface GridSampleAttrs {
  /** Interpolation (default 'linear'); 'cubic' takes 4-D X only. */
  mode?: GridSampleMode;
  /** Where taps outside the image read from (default 'zeros'). */
  paddingMode?: GridSamplePadding;
  /** -1 and 1 name the centres of the corner pixels (true) or their outer edges (false, default). */
  alignCorners?: boolean | number;
}

export interface GridSamplePlan extends Plan {
  dims: 2 | 3;
  mode: GridSampleMode;
  padding: GridSamplePadding;
  alignCorners: boolean;
  N: number;
  C: number;
  /** Input spatial size (D = 1 for 4-D X). */
  D: number;
  H: number;
  W: number;
  /** Output points per image (the grid's spatial size). */
  P: number;
  /** Taps per output point: 1 (nearest), 2^dims (linear), 4^dims (cubic). */
  T: number;
}

const MODES: readonly GridSampleMode[] = ['linear', 'nearest', 'cubic'];
const PADDINGS: readonly GridSamplePadding[] = ['zeros', 'border', 'reflection'];

/**
 * GridSample (ONNX opset 20): X [N, C, (D,) H, W] sampled at the normalised coordinates of grid
 * [N, (Do,) Ho, Wo, dims] (x, y[, z] order, -1..1 across the image) → [N, C, (Do,) Ho, Wo].
 * float32. See wasm-kernels/grid-sample.wat.ts for the per-axis rules (the ONNX reference's).
 */
export const gridSampleDef: OpDef<GridSampleAttrs, GridSamplePlan> = defineOp({
  name: 'GridSample',
  plan(inputs: readonly TensorInfo[], attrs: GridSampleAttrs = {}): GridSamplePlan {
    const op = 'GridSample';
    expectArity(op, inputs, 2);
    const [x, grid] = inputs as [TensorInfo, TensorInfo];
    expectDType(op, x, ['float32'], 'X');
    expectDType(op, grid, ['float32'], 'grid');
    const r = x.shape.length;
    const shapes = `X ${fmtShape(x.shape)}, grid ${fmtShape(grid.shape)}`;
    if (r !== 4 && r !== 5) throw new ShapeError(op, `X must be 4-D or 5-D (${shapes})`, 'RANK');
    const dims = (r - 2) as 2 | 3;
    if (grid.shape.length !== r || grid.shape[r - 1] !== dims || grid.shape[0] !== x.shape[0]) {
      throw new ShapeError(op, `grid must be [N, ${dims === 3 ? 'Do, ' : ''}Ho, Wo, ${dims}] with X's N (${shapes})`);
    }
    const mode = attrs.mode ?? 'linear';
    if (!MODES.includes(mode)) throw new AttributeError(op, `mode must be one of ${MODES.join(', ')}, got ${String(mode)}`);
    if (mode === 'cubic' && dims === 3) throw new AttributeError(op, `mode cubic takes 4-D X only (${shapes})`);
    const padding = attrs.paddingMode ?? 'zeros';
    if (!PADDINGS.includes(padding)) throw new AttributeError(op, `paddingMode must be one of ${PADDINGS.join(', ')}, got ${String(padding)}`);
    const [N, C] = x.shape as [number, number];
    const sp = x.shape.slice(2);
    const [D, H, W] = dims === 3 ? (sp as [number, number, number]) : [1, sp[0]!, sp[1]!];
    const outSp = grid.shape.slice(1, r - 1);
    if ((D === 0 || H === 0 || W === 0) && N * C * outSp.reduce((a, b) => a * b, 1) > 0) throw new ShapeError(op, `cannot sample an empty image (${shapes})`);
    return {
      outputs: [{ shape: [N, C, ...outSp], dtype: 'float32' }],
      dispatchDType: 'float32',
      dims,
      mode,
      padding,
      alignCorners: !!attrs.alignCorners,
      N,
      C,
      D,
      H,
      W,
      P: outSp.reduce((a, b) => a * b, 1),
      T: { nearest: 1, linear: 2, cubic: 4 }[mode] ** dims,
    };
  },
});
