/**
 * Typed getters for the `memlens.*` settings. Defaults and descriptions live only in
 * package.json; the fallbacks here apply only if a setting is missing from the contributions.
 */
import * as vscode from 'vscode';
import type { View } from './model/types';
import { PROFILE_MODES, type ProfileMode } from './protocol/snapshot';

function section(scope?: vscode.ConfigurationScope): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('memlens', scope);
}

/** `memlens.pythonPath`, trimmed; empty when unset. */
export function pythonPath(scope?: vscode.ConfigurationScope): string {
  return (section(scope).get<string>('pythonPath') ?? '').trim();
}

/** `memlens.mode`: how allocations are tracked (fast, exact or light). */
export function mode(scope?: vscode.ConfigurationScope): ProfileMode {
  const value = section(scope).get<string>('mode');
  return PROFILE_MODES.find((m) => m === value) ?? 'fast';
}

/** `memlens.sampleIntervalKiB`, in bytes: fast mode's mean interval between samples. */
export function sampleIntervalBytes(scope?: vscode.ConfigurationScope): number {
  const kib = section(scope).get<number>('sampleIntervalKiB') ?? 8;
  // A value edited by hand outside the schema's bounds is brought back within them.
  return Math.round(Math.min(1024, Math.max(1, kib)) * 1024);
}

/** `memlens.frames`: tracemalloc frame depth (exact mode). */
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
