/**
 * New Experiment and Open an Example: the templates are the extension's own `examples/*.seqlab.json`.
 * A new experiment is the template with its "name" set, written next to the workspace root; data
 * files the template names (data.file) are copied along so that it trains as it is.
 */
import * as vscode from 'vscode';
import { applyEdits, modify, parse as parseJsonc } from 'jsonc-parser/lib/esm/main.js';
import { DEFINITION_SUFFIX } from './definitions';
import { log } from './log';

export interface Template {
  id: string;            // "hello" for examples/hello.seqlab.json
  uri: vscode.Uri;
  name: string;
  description: string;
  task?: string;
  dataFile?: string;
  text: string;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export async function listTemplates(extensionUri: vscode.Uri): Promise<Template[]> {
  const dir = vscode.Uri.joinPath(extensionUri, 'examples');
  let entries: [string, vscode.FileType][] = [];
  try { entries = await vscode.workspace.fs.readDirectory(dir); } catch { return []; }
  const out: Template[] = [];
  for (const [file, type] of entries) {
    if (type !== vscode.FileType.File || !file.endsWith(DEFINITION_SUFFIX)) continue;
    const uri = vscode.Uri.joinPath(dir, file);
    const text = decoder.decode(await vscode.workspace.fs.readFile(uri));
    const json = (parseJsonc(text) ?? {}) as { name?: unknown; description?: unknown; data?: { task?: unknown; file?: unknown } };
    const id = file.slice(0, -DEFINITION_SUFFIX.length);
    out.push({
      id, uri, text,
      name: typeof json.name === 'string' ? json.name : id,
      description: typeof json.description === 'string' ? json.description : '',
      task: typeof json.data?.task === 'string' ? json.data.task : undefined,
      dataFile: typeof json.data?.file === 'string' ? json.data.file : undefined,
    });
  }
  // hello first: it is the one the walkthrough starts with.
  return out.sort((a, b) => (a.id === 'hello' ? -1 : b.id === 'hello' ? 1 : a.id.localeCompare(b.id)));
}

export async function pickTemplate(extensionUri: vscode.Uri, title: string, id?: string): Promise<Template | undefined> {
  const all = await listTemplates(extensionUri);
  if (!all.length) {
    void vscode.window.showErrorMessage(vscode.l10n.t('No example definitions were found in {0}.', vscode.Uri.joinPath(extensionUri, 'examples').fsPath));
    return undefined;
  }
  if (id) {
    const t = all.find((x) => x.id === id || x.name === id);
    if (!t) throw new Error(vscode.l10n.t('There is no example named "{0}". Examples: {1}', id, all.map((x) => x.id).join(', ')));
    return t;
  }
  const pick = await vscode.window.showQuickPick(
    all.map((t) => ({ label: t.name, description: t.task ? `${t.id}.seqlab.json · ${t.task}` : `${t.id}.seqlab.json`, detail: t.description, t })),
    { title, placeHolder: vscode.l10n.t('Pick a template'), matchOnDescription: true, matchOnDetail: true },
  );
  return pick?.t;
}

export function validName(name: string): string | undefined {
  if (!name.trim()) return vscode.l10n.t('Enter a name.');
  if (!/^[\p{L}\p{N}][\p{L}\p{N}_.-]*$/u.test(name)) return vscode.l10n.t('Use letters, digits, "-", "_" and "." only, starting with a letter or digit.');
  if (name.length > 100) return vscode.l10n.t('Use at most 100 characters.');
  return undefined;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try { await vscode.workspace.fs.stat(uri); return true; } catch { return false; }
}

/** Copies the template's data file next to the new definition unless it is already there. */
async function copyData(t: Template, targetDir: vscode.Uri, folder: vscode.Uri): Promise<void> {
  if (!t.dataFile) return;
  const rel = t.dataFile.replace(/\\/g, '/');
  const src = vscode.Uri.joinPath(t.uri, '..', rel);
  const dst = vscode.Uri.joinPath(targetDir, rel);
  if (!dst.path.startsWith(folder.path.replace(/\/$/, '') + '/')) {
    log().warn(`Not copying ${rel}: it would land outside the workspace folder`);
    return;
  }
  if (await exists(dst)) return;
  await vscode.workspace.fs.copy(src, dst, { overwrite: false });
  log().info(`Copied ${rel} for ${t.id}`);
}

export async function chooseFolder(folder?: vscode.WorkspaceFolder): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folder) return folder;
  if (folders.length <= 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t('Where should the experiment go?') });
}

/** Writes `<name>.seqlab.json` from the template into `dir` (default: the folder's root). */
export async function createFromTemplate(t: Template, name: string, folder: vscode.WorkspaceFolder, dir = folder.uri): Promise<vscode.Uri> {
  const target = vscode.Uri.joinPath(dir, `${name}${DEFINITION_SUFFIX}`);
  if (await exists(target)) throw new Error(vscode.l10n.t('{0} already exists.', vscode.workspace.asRelativePath(target)));
  const eol = t.text.includes('\r\n') ? '\r\n' : '\n';
  const text = applyEdits(t.text, modify(t.text, ['name'], name, { formattingOptions: { insertSpaces: true, tabSize: 2, eol } }));
  await copyData(t, dir, folder.uri);
  await vscode.workspace.fs.writeFile(target, encoder.encode(text));
  log().info(`Created ${vscode.workspace.asRelativePath(target)} from the ${t.id} template`);
  return target;
}

/** Copies an example into the folder under its own name (or returns the copy already there). */
export async function copyExample(t: Template, folder: vscode.WorkspaceFolder): Promise<vscode.Uri> {
  const target = vscode.Uri.joinPath(folder.uri, `${t.id}${DEFINITION_SUFFIX}`);
  if (await exists(target)) return target;
  await copyData(t, folder.uri, folder.uri);
  await vscode.workspace.fs.writeFile(target, encoder.encode(t.text));
  log().info(`Copied the ${t.id} example to ${vscode.workspace.asRelativePath(target)}`);
  return target;
}
