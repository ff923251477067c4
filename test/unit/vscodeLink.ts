// The pattern VS Code uses to find links in notification text: `LINK_REGEX` of
// `parseLinkedText` in vs/base/common/linkedText.ts (the same in the code-server 4.139.1 the
// end-to-end tests run). A `[label](target)` it matches becomes a clickable link in a toast.
export const VSCODE_LINK = (): RegExp => /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
