// Runs dc3dd or dcfldd: copies a device to an image file, hashing (SHA-256) as it reads, and
// reports progress by the image's growing size.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../shared/errors.ts';

export interface ToolRun {
  sha256: string;
  bytes: number;
}

export function toolVersion(tool: 'dc3dd' | 'dcfldd'): string {
  const out = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  if (out.error) throw ApplicationFailure.nonRetryable(`imaging: ${tool} is not installed on this worker`, ErrorType.tool);
  return /\b(\d+(?:\.\d+)+)\b/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? 'unknown';
}

/** Copies `device` to `image`; calls `progress(bytesWritten)` every `everyMs`; resolves with the tool's hash. */
export function runTool(tool: 'dc3dd' | 'dcfldd', device: string, image: string, hashLog: string, progress: (bytes: number) => void, signal?: AbortSignal, everyMs = 5000): Promise<ToolRun> {
  const args =
    tool === 'dc3dd'
      ? [`if=${device}`, `of=${image}`, 'hash=sha256', `log=${hashLog}`, 'nwspc=on']
      : [`if=${device}`, `of=${image}`, 'hash=sha256', `hashlog=${hashLog}`, 'bs=1M', 'conv=noerror,sync'];
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'ignore', 'pipe'], signal });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
    const timer = setInterval(() => progress(sizeOf(image)), everyMs);
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err.name === 'AbortError' ? err : ApplicationFailure.create({ type: ErrorType.tool, message: `imaging: ${tool} could not run (${err.message})` }));
    });
    child.on('close', (code) => {
      clearInterval(timer);
      if (code !== 0) return reject(ApplicationFailure.create({ type: ErrorType.tool, message: `imaging: ${tool} exited ${code}: ${lastLine(stderr)}`, nonRetryable: /No such file|Permission denied|not found/i.test(stderr) }));
      const log = fs.existsSync(hashLog) ? fs.readFileSync(hashLog, 'utf8') : '';
      const sha256 = /\b([a-f0-9]{64})\b/.exec(tool === 'dc3dd' ? sectionAfter(log, 'input results') : log)?.[1];
      if (!sha256) return reject(ApplicationFailure.create({ type: ErrorType.tool, message: `imaging: ${tool} reported no SHA-256` }));
      resolve({ sha256, bytes: sizeOf(image) });
    });
  });
}

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  /** Private key file. */
  key: string;
  /** known_hosts pinning the target's host key: unknown hosts are refused. */
  knownHosts: string;
}

export function sshArgs(t: SshTarget): string[] {
  return ['-i', t.key, '-p', String(t.port), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${t.knownHosts}`, '-o', 'ConnectTimeout=10', '-o', 'ServerAliveInterval=15', `${t.user}@${t.host}`, '--'];
}

/** The tool's version on the remote host. */
export function remoteToolVersion(tool: 'dc3dd' | 'dcfldd', t: SshTarget): string {
  const out = spawnSync('ssh', [...sshArgs(t), tool, '--version'], { encoding: 'utf8', timeout: 30_000 });
  if (out.status === 255) throw ApplicationFailure.create({ type: ErrorType.unavailable, message: `imaging: ssh to ${t.host} failed: ${lastLine(out.stderr ?? '')}` });
  if (out.status !== 0) throw ApplicationFailure.nonRetryable(`imaging: ${tool} is not installed on ${t.host}`, ErrorType.tool);
  return /\b(\d+(?:\.\d+)+)\b/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? 'unknown';
}

/**
 * Runs the tool on the remote host with the image on its stdout (it hashes what it reads) and
 * writes the stream to `image` here; the tool's hash comes back on its stderr.
 */
export function runRemoteTool(tool: 'dc3dd' | 'dcfldd', device: string, image: string, t: SshTarget, progress: (bytes: number) => void, signal?: AbortSignal, everyMs = 5000): Promise<ToolRun> {
  const remote = tool === 'dc3dd' ? [tool, `if=${device}`, 'hash=sha256', 'nwspc=on'] : [tool, `if=${device}`, 'hash=sha256', 'bs=1M', 'conv=noerror,sync'];
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', [...sshArgs(t), ...remote], { stdio: ['ignore', 'pipe', 'pipe'], signal });
    const out = fs.createWriteStream(image);
    child.stdout.pipe(out);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + String(d)).slice(-8000)));
    const timer = setInterval(() => progress(sizeOf(image)), everyMs);
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err.name === 'AbortError' ? err : ApplicationFailure.create({ type: ErrorType.tool, message: `imaging: ssh could not run (${err.message})` }));
    });
    child.on('close', (code) => {
      clearInterval(timer);
      out.end(() => {
        if (code === 255) return reject(ApplicationFailure.create({ type: ErrorType.unavailable, message: `imaging: ssh to ${t.host} failed: ${lastLine(stderr)}` }));
        if (code !== 0) return reject(ApplicationFailure.create({ type: ErrorType.tool, message: `imaging: ${tool} on ${t.host} exited ${code}: ${lastLine(stderr)}`, nonRetryable: /No such file|Permission denied|not found/i.test(stderr) }));
        const sha256 = /\b([a-f0-9]{64})\b/.exec(tool === 'dc3dd' ? sectionAfter(stderr, 'input results') : stderr)?.[1];
        if (!sha256) return reject(ApplicationFailure.create({ type: ErrorType.tool, message: `imaging: ${tool} on ${t.host} reported no SHA-256` }));
        resolve({ sha256, bytes: sizeOf(image) });
      });
    });
  });
}


function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function sectionAfter(text: string, marker: string): string {
  const i = text.lastIndexOf(marker);
  return i >= 0 ? text.slice(i) : text;
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.slice(0, 300) ?? '';
}
