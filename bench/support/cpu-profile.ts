import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: self time per
// function and per area (a package in node_modules, a source folder of ours, Node internals,
// GC). Functions in an esbuild bundle are mapped back to their source file through the
// bundle's linked source map, so out/cli/switchboard.js splits into core/sip, core/channels, ...

/** The checkout's root, with a trailing slash: paths are shown relative to it. */
const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** Self time of one function or area. */
export type SelfTime = { readonly name: string; readonly ms: number; readonly share: number };

/** A profile boiled down: busy time (idle left out) and its biggest parts. */
export type ProfileSummary = { readonly busyMs: number; readonly functions: readonly SelfTime[]; readonly areas: readonly SelfTime[] };

/** Summarises `path`: the `top` functions and every area with at least `minShare` of the busy time. */
export function summarizeCpuProfile(path: string, top = 15, minShare = 0.005): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const maps = new SourceMaps();
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id);
    if (frame === undefined || frame.functionName === '(idle)') {
      continue;
    }
    busyUs += us;
    const source = maps.original(frame);
    const name = `${frame.functionName || '(anonymous)'}${source.file ? ` ${source.file}:${source.line}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const area = areaOf(frame, source.file);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const rank = (entries: Map<string, number>, keep: (t: SelfTime) => boolean): SelfTime[] =>
    [...entries]
      .map(([name, us]) => ({ name, ms: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }))
      .sort((a, b) => b.ms - a.ms)
      .filter(keep);
  return {
    busyMs: busyUs / 1000,
    functions: rank(functions, () => true).slice(0, top),
    areas: rank(areas, (t) => t.share >= minShare),
  };
}

/** node_modules/<package>, one of our folders (two levels), node:<module>, or V8's own entries. */
function areaOf(frame: CallFrame, file: string | undefined): string {
  if (frame.url === '') {
    return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  }
  if (frame.url.startsWith('node:')) {
    return frame.url.replace(/^node:(internal\/)?/, 'node:').split('/')[0] ?? frame.url;
  }
  const path = file ?? frame.url;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (modules) {
    return modules[1] ?? path;
  }
  // Paths of ours are relative to the checkout by now (see SourceMaps.original).
  const ours = /^(common|core|main|lab|bench|extensions)\/([^/]+)\//.exec(path);
  if (ours) {
    return `${ours[1]}/${ours[2]}`;
  }
  return path.replace(/^file:\/\//, '');
}

/** Linked source maps of bundled scripts, decoded on first use. */
class SourceMaps {
  private readonly cache = new Map<string, DecodedMap | undefined>();

  /** The source file and line (1-based) of a frame, or just the script when it has no map. */
  original(frame: CallFrame): { file?: string; line?: number } {
    if (!frame.url.startsWith('file://')) {
      return {};
    }
    const script = fileURLToPath(frame.url);
    let map = this.cache.get(script);
    if (!this.cache.has(script)) {
      map = existsSync(`${script}.map`) ? decodeMap(`${script}.map`) : undefined;
      this.cache.set(script, map);
    }
    const shortScript = script.startsWith(REPOSITORY) ? script.slice(REPOSITORY.length) : script;
    if (map === undefined) {
      return { file: shortScript, line: frame.lineNumber + 1 };
    }
    const found = map.lookup(frame.lineNumber, frame.columnNumber);
    return found ?? { file: shortScript, line: frame.lineNumber + 1 };
  }
}

type DecodedMap = { lookup(line: number, column: number): { file: string; line: number } | undefined };

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes a source map v3 `mappings` (base64 VLQ) into per-line segments. */
function decodeMap(path: string): DecodedMap | undefined {
  let raw: { sources?: string[]; mappings?: string };
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as { sources?: string[]; mappings?: string };
  } catch {
    return undefined;
  }
  const sources = (raw.sources ?? []).map((s) => s.replace(/^(\.\.\/)+/, ''));
  const lines: number[][][] = [];
  let source = 0;
  let sourceLine = 0;
  for (const text of (raw.mappings ?? '').split(';')) {
    const segments: number[][] = [];
    let column = 0;
    for (const segment of text.split(',')) {
      if (segment === '') {
        continue;
      }
      const values = decodeVlq(segment);
      column += values[0] ?? 0;
      // [generated column, source, source line, source column(, name)]; the column is not needed.
      if (values.length >= 4) {
        source += values[1] ?? 0;
        sourceLine += values[2] ?? 0;
        segments.push([column, source, sourceLine]);
      }
    }
    lines.push(segments);
  }
  return {
    lookup(line, column) {
      const segments = lines[line];
      if (segments === undefined || segments.length === 0) {
        return undefined;
      }
      let best = segments[0];
      for (const segment of segments) {
        if ((segment[0] ?? 0) <= column) {
          best = segment;
        } else {
          break;
        }
      }
      const file = sources[best?.[1] ?? -1];
      return file === undefined ? undefined : { file, line: (best?.[2] ?? 0) + 1 };
    },
  };
}

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}
