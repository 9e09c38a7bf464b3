/**
 * The shape shared by targets whose input is one body string.
 * @packageDocumentation
 */
import { shrinkString, type FuzzTarget } from '../engine';
import { textCorpus, textInputs } from '../mutate-text';

/**
 * A target fed with mutants of `seeds` (and every prefix of the small ones).
 * @param name - the `--parser` name
 * @param contract - the property checked, in words
 * @param seeds - valid bodies to mutate
 * @param check - calls the parser and checks its result; throws to fail
 */
export function textTarget(name: string, contract: string, seeds: readonly string[], check: (body: string) => void): FuzzTarget<string> {
  const generate = textInputs(textCorpus(seeds));
  return { name, contract, generate, check, shrink: shrinkString, show: (body) => body };
}
