// The award page's one script: counts the view and each share or download through the public
// engagement API (24-hour dedup is the server's), copies the link, and checks the signed
// credential with the public verifyCredential query. The page works without it.
(function () {
  'use strict';
  var main = document.querySelector('main[data-public-id]');
  if (!main) return;
  var publicId = main.getAttribute('data-public-id');

  function graphql(query, variables) {
    return fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: query, variables: variables }),
      keepalive: true,
    }).then(function (response) { return response.json(); });
  }

  function record(kind, network) {
    var input = { publicId: publicId, kind: kind };
    if (network) input.network = network;
    return graphql('mutation ($input: RecordEngagementInput!) { recordEngagement(input: $input) { counted } }', { input: input })
      .catch(function () {});
  }

  record('VIEW');

  document.addEventListener('click', function (event) {
    var target = event.target.closest('[data-engagement]');
    if (!target) return;
    record(target.getAttribute('data-engagement'), target.getAttribute('data-network'));
    var copy = target.getAttribute('data-copy');
    if (copy && navigator.clipboard) {
      navigator.clipboard.writeText(copy).then(function () { target.textContent = 'Link copied'; }, function () {});
    }
  });

  var verification = document.getElementById('verification');
  var credentialUrl = main.getAttribute('data-credential');
  if (!verification || !credentialUrl) return;
  verification.textContent = 'Checking the signed credential…';
  fetch(credentialUrl, { headers: { accept: 'application/ld+json' } })
    .then(function (response) {
      if (!response.ok) throw new Error('The credential could not be read (' + response.status + ').');
      return response.json();
    })
    .then(function (credential) {
      return graphql('query ($input: VerifyCredentialInput!) { verifyCredential(input: $input) { valid checks { name passed message } } }', {
        input: { credential: credential },
      });
    })
    .then(function (result) {
      var verdict = result.data && result.data.verifyCredential;
      if (!verdict) throw new Error('The credential could not be checked.');
      if (verdict.valid) {
        verification.textContent = '✓ Verified: the credential is signed by its issuer, unaltered, and in force.';
        verification.className = 'verification verified';
        return;
      }
      var failed = verdict.checks.filter(function (check) { return !check.passed; });
      verification.textContent = '✗ Not verified: ' + failed.map(function (check) { return check.name + ' (' + check.message + ')'; }).join('; ');
      verification.className = 'verification failed';
    })
    .catch(function (error) {
      verification.textContent = error.message;
      verification.className = 'verification failed';
    });
})();
