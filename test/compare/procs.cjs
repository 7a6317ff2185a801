// Processes as /proc shows them (pid, process group, command line; zombies left out): for the tests that check
// a cancelled build left nothing running. CommonJS, so the extension-host suite can require it too.
const fs = require('fs');

function processes() {
  const out = [];
  for (const n of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${n}/stat`, 'latin1');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z') continue; // a zombie has ended; only its parent's wait is missing
      const cmd = fs.readFileSync(`/proc/${n}/cmdline`, 'latin1').split('\0').join(' ').trim();
      out.push({ pid: Number(n), pgid: Number(rest[2]), cmd });
    } catch { /* gone meanwhile */ }
  }
  return out;
}

const processesMatching = (text) => processes().filter((p) => p.cmd.includes(text) && p.pid !== process.pid);
const processGroupMembers = (pgid) => processes().filter((p) => p.pgid === pgid);

module.exports = { processes, processesMatching, processGroupMembers };
