/**
 * Typed getters for the `memlens.*` settings. Defaults and descriptions live only in
 * package.json; the fallbacks here apply only if a setting is missing from the contributions.
 */
import * as vscode from 'vscode';
import type { View } from './model/types';

function section(scope?: vscode.ConfigurationScope): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('memlens', scope);
}

/** `memlens.pythonPath`, trimmed; empty when unset. */
export function pythonPath(scope?: vscode.ConfigurationScope): string {
  return (section(scope).get<string>('pythonPath') ?? '').trim();
}

/** `memlens.frames`: tracemalloc frame depth. */
export function frames(scope?: vscode.ConfigurationScope): number {
  return section(scope).get<number>('frames') ?? 8;
}

/** `memlens.peak.enabled`: also capture the per-line view near the traced peak. */
export function peakEnabled(scope?: vscode.ConfigurationScope): boolean {
  return section(scope).get<boolean>('peak.enabled') ?? true;
}

/** `memlens.annotations.enabled`: inline heat and sizes. */
export function annotationsEnabled(scope?: vscode.ConfigurationScope): boolean {
  return section(scope).get<boolean>('annotations.enabled') ?? true;
}

/** `memlens.annotations.minimumKiB`, in bytes: lines below it get no inline annotation. */
export function annotationMinimumBytes(scope?: vscode.ConfigurationScope): number {
  return Math.max(0, section(scope).get<number>('annotations.minimumKiB') ?? 1) * 1024;
}

/** `memlens.annotations.view`: which view the inline annotations show first. */
export function annotationView(scope?: vscode.ConfigurationScope): View {
  return section(scope).get<string>('annotations.view') === 'peak' ? 'peak' : 'exit';
}

/** `memlens.codeLens.enabled`. */
export function codeLensEnabled(scope?: vscode.ConfigurationScope): boolean {
  return section(scope).get<boolean>('codeLens.enabled') ?? true;
}

/** Whether a configuration change touches any MemLens setting that views draw from. */
export function affectsViews(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration('memlens.annotations') || e.affectsConfiguration('memlens.codeLens');
}

/** `memlens.snapshots.folder`: where new runs are kept; empty for the extension's storage. */
export function snapshotsFolder(scope?: vscode.ConfigurationScope): string {
  return (section(scope).get<string>('snapshots.folder') ?? '').trim();
}
