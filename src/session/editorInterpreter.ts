/**
 * The editor's sources for the interpreter lookup of `run/interpreter.ts`: the Python extension's
 * active interpreter for the script (through `@vscode/python-extension`, which is bundled), then
 * `memlens.pythonPath`, then `python3`/`python` on PATH. The Python extension is optional: when it
 * is absent or fails, its source counts as unset.
 */
import { PVSC_EXTENSION_ID, PythonExtension } from '@vscode/python-extension';
import * as vscode from 'vscode';
import * as config from '../config';
import { findOnPath, resolveInterpreter, type ResolvedInterpreter } from '../run/interpreter';

/** The Python extension's active interpreter for `resource`, or undefined without the extension. */
export async function pythonExtensionInterpreter(resource: vscode.Uri): Promise<string | undefined> {
  if (!vscode.extensions.getExtension(PVSC_EXTENSION_ID)) return undefined;
  const api = await PythonExtension.api();
  const active = api.environments.getActiveEnvironmentPath(resource);
  const resolved = await api.environments.resolveEnvironment(active);
  return resolved?.executable.uri?.fsPath ?? active.path;
}

/** Picks the interpreter to profile `script` with. @throws InterpreterError when there is none. */
export function interpreterFor(script: vscode.Uri): Promise<ResolvedInterpreter> {
  return resolveInterpreter({
    pythonExtension: () => pythonExtensionInterpreter(script),
    setting: config.pythonPath(script),
    path: () => findOnPath(['python3', 'python'], process.env),
  });
}
