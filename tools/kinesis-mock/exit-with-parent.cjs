// Preloaded (node -r) by KinesisMockExtension: kinesis-mock exits when its parent JVM goes away.
// The JVM holds the write end of this process's stdin; any end of that JVM, even SIGKILL, closes
// it, and node then sees end-of-file. A normal stop is a SIGTERM from the JVM.
'use strict';
const stop = () => process.exit(0);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
