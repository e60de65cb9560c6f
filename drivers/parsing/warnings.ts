/**
 * Partial results: a parser keeps the rows it can read and reports each line it cannot, with
 * its 1-based line number in the output, instead of failing the whole output over it. Only an
 * output with no recognisable structure (no table header at all) is still NRX_ERR_PARSE.
 */
export interface ParseWarning {
  /** 1-based line number in the command's output. */
  line: number;
  /** The line as printed, cut to 120 characters. */
  text: string;
  reason: string;
}

export type WarnLine = (line: number, text: string, reason: string) => void;

/** A collector a parser reports into; `warn` is what parsers are handed. */
export function warningCollector(): { warnings: ParseWarning[]; warn: WarnLine } {
  const warnings: ParseWarning[] = [];
  return { warnings, warn: (line, text, reason) => warnings.push({ line, text: text.trim().slice(0, 120), reason }) };
}

/** For callers that only want the rows (getters): warnings are dropped. */
export const ignoreWarnings: WarnLine = () => {};
