// Starts kinesalite (node_modules/kinesalite/cli.js, same arguments) for the KPL comparison benchmark.
// kinesalite exits on an uncaught ECONNRESET / "aborted" error when a client drops a connection
// mid-request (the KPL's native client and the SDK's pools both do when they close); those are
// ignored here, anything else still ends the process.
'use strict'
process.on('uncaughtException', function (err) {
  var text = String(err && (err.code || err.message))
  if (/ECONNRESET|aborted|EPIPE/.test(text) || /aborted/.test(String(err && err.message))) {
    console.error(new Date().toISOString() + ' ignored: ' + text)
    return
  }
  console.error(err && err.stack ? err.stack : err)
  process.exit(1)
})
require('kinesalite/cli.js')
