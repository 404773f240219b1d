/**
 * Reads what the panel's worker needs to train an experiment: the definition's text (the open
 * editor's text when it is open, saved or not) and every data file it references. Data paths are
 * resolved against the definition and must stay inside the workspace; a refused or unreadable file
 * is reported in `fileErrors` (the panel shows it and the worker's dataset build names it).
 */
import * as vscode from 'vscode';
import { parseTree, findNodeAtLocation } from 'jsonc-parser/lib/esm/main.js';
import { normalizePath, resolveDataPath, dirnameOf } from '../../core/paths';
import { panelSpec, type ExperimentMsg } from '../../protocol';
import type { ModelSpec } from '../../core/spec';
import { parseDefinition } from '../../core/dsl';
import { messagesFor } from '../../core/dsl/messages';
import { stripBom } from '../../core/bom';
import type { FileProblem } from '../../core/paths';
import { tooLargeMessage } from '../../core/tasks/common';
import { readWorkspaceFileBytes, workspaceFileAccess } from '../../node/workspaceFile';
import { readConfig } from '../config';
import { listWorkspaceFolder } from '../../node/dataFiles';

export async function readExperiment(def: vscode.Uri): Promise<ExperimentMsg> {
  const folder = vscode.workspace.getWorkspaceFolder(def);
  const root = folder ? folder.uri.fsPath : dirnameOf(def.fsPath);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === def.toString());
  const definitionText = stripBom(open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(def)));
  const files: { path: string; bytes: ArrayBuffer }[] = [];
  const fileErrors: string[] = [];
  const read = (field: string, rel: string, abs: string) => {
    try {
      files.push({ path: normalizePath(abs), bytes: readWorkspaceFileBytes(abs, root) });
    } catch (e) {
      const problem = (e as { problem?: FileProblem }).problem;
      fileErrors.push(problem?.kind === 'too-large' ? `${field} '${rel}' ${tooLargeMessage(problem, taskOf(definitionText), messagesFor(vscode.env.language))}` : `${field} '${rel}': ${(e as Error).message}`);
    }
  };
  for (const rel of referencedFiles(definitionText)) {
    const r = resolveDataPath(def.fsPath, rel, root);
    if ('error' in r) {
      fileErrors.push(`data.file: ${r.error}`);
      continue;
    }
    read('data.file', rel, r.path);
  }
  // classify from a folder: every regular file in it (one per class), read the same confined way
  const dataFolder = referencedFolder(definitionText);
  if (dataFolder) {
    const r = resolveDataPath(def.fsPath, dataFolder, root);
    if ('error' in r) fileErrors.push(`data.folder: ${r.error}`);
    else {
      try {
        for (const name of listWorkspaceFolder(r.path, root)) read('data.folder', `${dataFolder}/${name}`, `${r.path}/${name}`);
      } catch (e) {
        fileErrors.push(`data.folder '${dataFolder}': ${(e as Error).message}`);
      }
    }
  }
  const relPath = folder ? relative(folder.uri.fsPath, def.fsPath) : def.path.split('/').pop()!;
  const base = def.path.split('/').pop() ?? 'experiment';
  const parsed = parseDefinition(definitionText, { file: def.fsPath, workspaceRoot: root, inspectFile: workspaceFileAccess(root).inspectFile, memoryBudgetMB: readConfig(def).memoryBudgetMB, locale: vscode.env.language });
  const problems = parsed.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => `${relPath}:${d.line}:${d.column}: ${d.message}`);
  return {
    key: def.toString(),
    name: base.replace(/\.seqlab\.json$/, ''),
    definitionFile: normalizePath(def.fsPath),
    relPath,
    workspaceRoot: normalizePath(root),
    definitionText,
    files,
    fileErrors,
    ...(parsed.spec && !problems.length ? { spec: panelSpec(parsed.spec) } : {}),
    problems,
    memoryBudgetMB: readConfig(def).memoryBudgetMB,
  };
}

/** data.task of the definition, for messages (tolerant). */
function taskOf(text: string): string {
  const tree = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const n = tree && findNodeAtLocation(tree, ['data', 'task']);
  return n && typeof n.value === 'string' ? n.value : '';
}

/** data.file of the definition (tolerant: a broken file references nothing). */
export function referencedFiles(text: string): string[] {
  const tree = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  if (!tree) return [];
  const n = findNodeAtLocation(tree, ['data', 'file']);
  return n && typeof n.value === 'string' && n.value.trim() ? [n.value] : [];
}

/** data.folder of the definition (classify), or undefined. */
export function referencedFolder(text: string): string | undefined {
  const tree = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  const n = tree && findNodeAtLocation(tree, ['data', 'folder']);
  return n && typeof n.value === 'string' && n.value.trim() ? n.value : undefined;
}

export function relative(root: string, file: string): string {
  const r = normalizePath(root).replace(/\/$/, '');
  const f = normalizePath(file);
  return f.startsWith(r + '/') ? f.slice(r.length + 1) : f;
}

/** The normalised spec the run store records with a run (parsed by the host, never taken from the webview). */
export function parseSpecForRun(text: string, file: string, workspaceRoot: string): ModelSpec {
  const r = parseDefinition(text, { file, workspaceRoot, inspectFile: workspaceFileAccess(workspaceRoot).inspectFile });
  if (!r.spec) throw new Error(`${file} has errors: ${r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.column} ${d.message}`).join('; ')}`);
  return r.spec;
}
