/** The web page of a git remote, for compare links: GitHub, GitHub Enterprise and GitLab URL shapes. */
export interface RepoWeb {
  host: string;
  /** owner/name (GitLab: group/subgroup/name). */
  path: string;
  webUrl: string;
}

export function repoWebOf(remoteUrl: string | null): RepoWeb | null {
  if (!remoteUrl) return null;
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+?)(?:\.git)?\/?$/.exec(remoteUrl);
  let host: string;
  let repoPath: string;
  if (scp && !remoteUrl.includes('://')) {
    [, host, repoPath] = scp as unknown as [string, string, string];
  } else {
    let url: URL;
    try {
      url = new URL(remoteUrl);
    } catch {
      return null;
    }
    if (!['https:', 'http:', 'ssh:', 'git:'].includes(url.protocol)) return null;
    host = url.hostname;
    repoPath = url.pathname.replace(/^\/+/, '').replace(/\.git\/?$/, '').replace(/\/+$/, '');
  }
  if (!repoPath.includes('/')) return null;
  return { host, path: repoPath, webUrl: `https://${host}/${repoPath}` };
}

export function compareUrl(repo: RepoWeb | null, base: string, head: string): string | null {
  if (!repo) return null;
  const compare = repo.host.includes('gitlab') ? '-/compare' : 'compare';
  return `${repo.webUrl}/${compare}/${base}...${head}`;
}

/** A file as of `ref` on the repository's web page (the CHANGELOG at the release tag). */
export function fileUrl(repo: RepoWeb | null, ref: string, file: string): string | null {
  if (!repo) return null;
  const blob = repo.host.includes('gitlab') ? '-/blob' : 'blob';
  return `${repo.webUrl}/${blob}/${ref}/${file}`;
}
