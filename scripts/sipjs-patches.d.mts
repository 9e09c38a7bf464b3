/** Types of scripts/sipjs-patches.mjs (plain JavaScript, run by npm before anything is built). */
export declare const SIPJS_VERSION: string;
export declare const GRAMMAR_MARK: string;
export declare const HEADERIZE_MARK: string;
export declare const EARLY_ACK_MARK: string;
export declare const PATCHES: readonly {
  readonly file: string;
  readonly mark: string;
  readonly done: string;
  readonly edits: readonly (readonly [string, string])[];
}[];
