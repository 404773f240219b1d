/** The `*.seqlab.json` DSL: JSON Schema, parser with located diagnostics, and normalisation to ModelSpec. */
export { locateDataProblem, locatePath, parseDefinition, type ParseResult } from './parse';
export {
  formatDiagnostic, offsetToLineColumn, pathToString, compareDiagnostics,
  type Diagnostic, type Fix, type JsonPath, type ParseOptions, type Severity,
} from './diagnostics';
export { seqlabSchema } from './schema';
export { KNOWN_KEYS, knownKeysAt, schemaAt } from './keys';
export { didYouMean, editDistance } from './suggest';
export { DEFAULTS } from './normalize';
export { HEAD_FOR_OUTPUT, LOSS_FOR_HEAD, OPTIMIZER_PARAMS } from './semantic';
