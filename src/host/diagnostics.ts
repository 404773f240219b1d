/**
 * The core's semantic diagnostics in the Problems panel, published as the user types (debounced),
 * with exact ranges from the core's offset/length, and quick fixes from each diagnostic's `fix`.
 */
import * as vscode from 'vscode';
import { isDefinition, parseText, type CoreDiagnostic, type ParsedDefinition } from './definitions';
import { errorMessage, log } from './log';

export const DEBOUNCE_MS = 300;

/**
 * Problems VS Code's JSON language service already reports in every JSON(C) file, so publishing
 * ours too would show each twice: the parser's syntax errors (located, so offset or length > 0; not
 * 'the file is empty' or 'nested too deeply', which it does not report) and duplicate keys. The
 * schema it gets reports nothing (src/core/dsl/schemaL10n.ts `editorSchema`). The CLI and the
 * panel still show ours.
 */
export function reportedByJsonService(d: Pick<CoreDiagnostic, 'code' | 'offset' | 'length'>): boolean {
  return d.code === 'duplicate-key' || (d.code === 'syntax' && (d.offset > 0 || d.length > 0));
}

interface Fixable { range: vscode.Range; message: string; fix: { title: string; newText: string } }

function severity(s: CoreDiagnostic['severity']): vscode.DiagnosticSeverity {
  return s === 'error' ? vscode.DiagnosticSeverity.Error : s === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

/** Offset/length in `text` to a Range, without needing a TextDocument (handles \r\n). */
export function rangeOf(text: string, offset: number, length: number, doc?: vscode.TextDocument): vscode.Range {
  const start = Math.max(0, Math.min(offset, text.length));
  const end = Math.max(start, Math.min(offset + Math.max(0, length), text.length));
  if (doc) return new vscode.Range(doc.positionAt(start), doc.positionAt(end));
  const pos = (o: number) => {
    let line = 0, last = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < o; i = text.indexOf('\n', i + 1)) { line++; last = i + 1; }
    return new vscode.Position(line, o - last);
  };
  return new vscode.Range(pos(start), pos(end));
}

export class DefinitionDiagnostics implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  readonly collection = vscode.languages.createDiagnosticCollection('seqlab');
  private readonly fixes = new Map<string, Fixable[]>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly subs: vscode.Disposable[] = [];
  private readonly published = new vscode.EventEmitter<vscode.Uri>();
  /** Fires after diagnostics of a file were (re)published. */
  readonly onDidPublish = this.published.event;

  constructor() {
    this.subs.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.check(d)),
      vscode.workspace.onDidChangeTextDocument((e) => { if (e.contentChanges.length) this.schedule(e.document); }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        // Keep the problems of a file that still exists on disk (the tree re-reads it); drop those of untitled/deleted ones.
        if (d.uri.scheme === 'untitled') this.clear(d.uri);
      }),
      vscode.workspace.onDidDeleteFiles((e) => e.files.forEach((u) => this.clear(u))),
      vscode.workspace.onDidRenameFiles((e) => e.files.forEach((f) => this.clear(f.oldUri))),
      vscode.languages.registerCodeActionsProvider({ pattern: '**/*.seqlab.json' }, this, {
        providedCodeActionKinds: DefinitionDiagnostics.providedCodeActionKinds,
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.check(d);
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!isDefinition(doc.uri)) return;
    const key = doc.uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.set(key, setTimeout(() => { this.timers.delete(key); this.check(doc); }, DEBOUNCE_MS));
  }

  /** Parses an open document now and publishes its diagnostics. */
  check(doc: vscode.TextDocument): ParsedDefinition | undefined {
    if (!isDefinition(doc.uri) || doc.isClosed) return undefined;
    try {
      const p = parseText(doc.uri, doc.getText());
      this.publish(p, doc);
      return p;
    } catch (e) {
      log().error(`Validating ${doc.uri.fsPath} failed: ${errorMessage(e)}`);
      return undefined;
    }
  }

  /** Publishes a parse result. Results read from disk are ignored while the file is open (the editor is newer). */
  publish(p: ParsedDefinition, doc?: vscode.TextDocument): void {
    const key = p.uri.toString();
    if (!doc && vscode.workspace.textDocuments.some((d) => d.uri.toString() === key && d.isDirty)) return;
    const fixes: Fixable[] = [];
    const jsonService = vscode.workspace.getConfiguration('json', p.uri).get<boolean>('validate.enable', true);
    const diags = p.diagnostics.filter((d) => !(jsonService && reportedByJsonService(d))).map((d) => {
      const range = rangeOf(p.text, d.offset, d.length, doc);
      const v = new vscode.Diagnostic(range, d.message, severity(d.severity));
      v.source = 'seqlab';
      if (d.code) v.code = d.code;
      if (d.fix) fixes.push({ range, message: d.message, fix: d.fix });
      return v;
    });
    this.collection.set(p.uri, diags);
    this.fixes.set(key, fixes);
    this.published.fire(p.uri);
  }

  clear(uri: vscode.Uri): void {
    this.collection.delete(uri);
    this.fixes.delete(uri.toString());
  }

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range | vscode.Selection, ctx: vscode.CodeActionContext): vscode.CodeAction[] {
    const fixes = this.fixes.get(doc.uri.toString()) ?? [];
    const out: vscode.CodeAction[] = [];
    for (const diag of ctx.diagnostics) {
      if (diag.source !== 'seqlab') continue;
      const f = fixes.find((x) => x.range.isEqual(diag.range) && x.message === diag.message);
      if (!f) continue;
      const action = new vscode.CodeAction(f.fix.title, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diag];
      action.isPreferred = true;
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(doc.uri, f.range, f.fix.newText);
      out.push(action);
    }
    return out;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const s of this.subs) s.dispose();
    this.published.dispose();
  }
}
