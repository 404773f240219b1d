/**
 * Reading and parsing `*.seqlab.json` definitions for the host: which workspace folder a file
 * belongs to, its experiment key (path relative to the folder, '/' separators, as the run store
 * records it), and the core parser's diagnostics with a real `fileExists`.
 */
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import { workspaceFileAccess } from '../node/workspaceFile';
import { readConfig } from './config';
import { parseDefinition } from '../core/dsl';
import type { ModelSpec } from '../core/spec';

export const DEFINITION_GLOB = '**/*.seqlab.json';
export const DEFINITION_EXCLUDE = '**/{node_modules,.git,.seqlab}/**';
export const DEFINITION_SUFFIX = '.seqlab.json';

export type CoreDiagnostic = ReturnType<typeof parseDefinition>['diagnostics'][number];

export function isDefinition(uri: vscode.Uri): boolean {
  return uri.path.toLowerCase().endsWith(DEFINITION_SUFFIX);
}

/** "hello" for ".../hello.seqlab.json". */
export function baseName(uri: vscode.Uri): string {
  const b = uri.path.slice(uri.path.lastIndexOf('/') + 1);
  return b.toLowerCase().endsWith(DEFINITION_SUFFIX) ? b.slice(0, -DEFINITION_SUFFIX.length) : b;
}

/** Path of `uri` relative to its workspace folder with '/' separators: the run store's experiment key. */
export function experimentKey(uri: vscode.Uri, folder = vscode.workspace.getWorkspaceFolder(uri)): string {
  if (!folder) return uri.path;
  const root = folder.uri.path.replace(/\/$/, '');
  return uri.path.startsWith(root + '/') ? uri.path.slice(root.length + 1) : uri.path;
}

export interface ParsedDefinition {
  uri: vscode.Uri;
  folder?: vscode.WorkspaceFolder;
  text: string;
  spec?: ModelSpec;
  diagnostics: CoreDiagnostic[];
}

export function parseText(uri: vscode.Uri, text: string): ParsedDefinition {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const local = uri.scheme === 'file';
  const res = parseDefinition(text, {
    file: local ? uri.fsPath : uri.path,
    workspaceRoot: folder ? (local ? folder.uri.fsPath : folder.uri.path) : undefined,
    // Data files can only be checked on a local disk; in a virtual workspace the check is skipped.
    inspectFile: local ? workspaceFileAccess(folder ? folder.uri.fsPath : dirname(uri.fsPath)).inspectFile : undefined,
    memoryBudgetMB: readConfig(uri).memoryBudgetMB,
    // Problems and quick fixes in the display language
    locale: vscode.env.language,
  });
  return { uri, folder, text, spec: res.spec, diagnostics: res.diagnostics };
}

/** Reads the definition from an open editor when there is one (unsaved edits count), else from disk. */
export async function readDefinition(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

export async function loadDefinition(uri: vscode.Uri): Promise<ParsedDefinition> {
  return parseText(uri, await readDefinition(uri));
}

export function errorsOf(p: ParsedDefinition): CoreDiagnostic[] {
  return p.diagnostics.filter((d) => d.severity === 'error');
}

export async function findDefinitions(): Promise<vscode.Uri[]> {
  if (!vscode.workspace.workspaceFolders?.length) return [];
  const uris = await vscode.workspace.findFiles(DEFINITION_GLOB, DEFINITION_EXCLUDE);
  return uris.sort((a, b) => a.toString().localeCompare(b.toString()));
}
