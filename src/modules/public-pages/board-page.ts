// The leaderboard screen, for a TV or a browser tab: a shell with the board's title and logo; its
// script fills the list from the public `leaderboardScreen` stream, animates moves, reconnects by
// itself, and says when it is stale or no longer published.
import { escape } from './award-page.js';

export interface BoardPageView {
  publicId: string;
  title: string;
  organizationName: string;
  logo: string | null;
}

export function renderBoardPage(view: BoardPageView): string {
  const title = escape(view.title);
  const organization = escape(view.organizationName);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} | ${organization}</title>
<link rel="stylesheet" href="/assets/board-screen.css">
<script src="/assets/board-screen.js" defer></script>
</head>
<body>
<main class="screen" data-board="${escape(view.publicId)}">
  <header>
    ${view.logo ? `<img class="logo" src="${escape(view.logo)}" alt="${organization} logo" width="64" height="64">` : ''}
    <div><h1>${title}</h1><p class="organization">${organization}</p></div>
  </header>
  <p class="state" id="state" role="status" aria-live="polite">Connecting…</p>
  <ol class="entries" id="entries" aria-label="Leaderboard"></ol>
</main>
</body>
</html>
`;
}
