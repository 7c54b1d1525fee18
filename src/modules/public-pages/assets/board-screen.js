// The leaderboard screen's script: reads the public `leaderboardScreen` subscription over
// Server-Sent Events (a streamed POST to /graphql), draws the top with movement arrows, animates
// rank changes, reconnects with backoff after a network loss or a server restart, says when what
// it shows is stale, and stops for good when the board is unpublished.
(function () {
  'use strict';
  var main = document.querySelector('main[data-board]');
  if (!main) return;
  var publicId = main.getAttribute('data-board');
  var list = document.getElementById('entries');
  var state = document.getElementById('state');
  var query = 'subscription ($publicId: String!) { leaderboardScreen(publicId: $publicId) { title published at entries { key position rank name score } } }';
  var previous = {};
  var lastUpdate = null;
  var ended = false;
  var retryMs = 1000;

  function say(text, kind) {
    state.textContent = text;
    state.className = 'state' + (kind ? ' ' + kind : '');
  }

  function draw(screen) {
    lastUpdate = new Date();
    if (!screen.published) {
      ended = true;
      list.textContent = '';
      say('This leaderboard is no longer published.', 'ended');
      return;
    }
    // FLIP: remember where each row was, redraw, then slide rows from there to their new place.
    var before = {};
    Array.prototype.forEach.call(list.children, function (row) { before[row.getAttribute('data-key')] = row.getBoundingClientRect().top; });
    var next = {};
    var fragment = document.createDocumentFragment();
    screen.entries.forEach(function (entry) {
      var row = document.createElement('li');
      row.className = 'entry';
      row.setAttribute('data-key', entry.key);
      var was = previous[entry.key];
      var move = was === undefined ? 'new' : was > entry.position ? 'up' : was < entry.position ? 'down' : '';
      if (move) row.className += ' ' + move;
      var cells = [
        ['rank', String(entry.rank)],
        ['move', move === 'up' ? '▲' : move === 'down' ? '▼' : move === 'new' ? '★' : '–'],
        ['name', entry.name],
        ['score', String(entry.score)],
      ];
      cells.forEach(function (cell) {
        var span = document.createElement('span');
        span.className = cell[0];
        span.textContent = cell[1];
        row.appendChild(span);
      });
      row.setAttribute('aria-label', 'Rank ' + entry.rank + ', ' + entry.name + ', ' + entry.score + (move === 'up' ? ', moved up' : move === 'down' ? ', moved down' : ''));
      next[entry.key] = entry.position;
      fragment.appendChild(row);
    });
    list.textContent = '';
    list.appendChild(fragment);
    Array.prototype.forEach.call(list.children, function (row) {
      var top = before[row.getAttribute('data-key')];
      if (top === undefined) return;
      var delta = top - row.getBoundingClientRect().top;
      if (!delta) return;
      row.style.transition = 'none';
      row.style.transform = 'translateY(' + delta + 'px)';
      requestAnimationFrame(function () {
        row.style.transition = '';
        row.style.transform = '';
      });
    });
    previous = next;
    say('Live · updated ' + lastUpdate.toLocaleTimeString());
  }

  function handle(block) {
    var event = /^event: ?(.*)$/m.exec(block);
    var data = /^data: ?(.*)$/m.exec(block);
    if (!event || event[1] !== 'next' || !data) return;
    var result = JSON.parse(data[1]);
    if (result.errors && result.errors.length) {
      var code = result.errors[0].extensions && result.errors[0].extensions.code;
      if (code === 'NOT_FOUND') {
        ended = true;
        list.textContent = '';
        say('This leaderboard is no longer published.', 'ended');
      }
      return;
    }
    retryMs = 1000;
    draw(result.data.leaderboardScreen);
  }

  function connect() {
    if (ended) return;
    fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: query, variables: { publicId: publicId } }),
    })
      .then(function (response) {
        if (!response.ok || !response.body) throw new Error('HTTP ' + response.status);
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = '';
        function read() {
          return reader.read().then(function (chunk) {
            if (chunk.done) return;
            buffer += decoder.decode(chunk.value, { stream: true });
            var blocks = buffer.split('\n\n');
            buffer = blocks.pop();
            blocks.forEach(handle);
            return read();
          });
        }
        return read();
      })
      .catch(function () {})
      .then(function () {
        if (ended) return;
        say(lastUpdate ? 'Reconnecting… showing the board as of ' + lastUpdate.toLocaleTimeString() : 'Reconnecting…', 'stale');
        setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, 15000);
      });
  }

  connect();
})();
