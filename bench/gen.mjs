#!/usr/bin/env node
// Seeded generator of realistic multi-stage Dockerfiles with an exact number of lines.
//
//   node bench/gen.mjs --lines 1000 [--seed 7]          print one file
//   node bench/gen.mjs --out bench/corpus [--sizes 10,1000,10000,50000] [--seed 7]
//
// Same seed + same size → same bytes. The mix follows what real Dockerfiles contain: build stages
// on SDK images (golang, node, python, rust, maven) feeding slim runtime stages through COPY --from,
// apt-get chains with `\` continuations (some tidy, some not), split `RUN apt-get update` /
// `RUN apt-get install` pairs, runs of short consecutive RUNs, ARG/ENV with $VAR references, LABEL,
// comments, heredocs, RUN --mount, USER, WORKDIR, EXPOSE, HEALTHCHECK, CMD/ENTRYPOINT. Both servers
// get something to report: our rules (merge-run, apt-hygiene, non-root-user, multi-stage) and the
// reference's (lowercase keyword, MAINTAINER, relative WORKDIR, CMD in single quotes, several CMDs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GENERATOR_VERSION = 1;
export const DEFAULT_SEED = 7;
export const DEFAULT_SIZES = [10, 1000, 10000, 50000];

/** sfc32 seeded through splitmix32: deterministic, fast, good enough for test data. */
function makeRandom(seed) {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  const u32 = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  const float = () => u32() / 4294967296;
  const int = (lo, hi) => lo + Math.floor(float() * (hi - lo + 1));
  const one = (xs) => xs[Math.floor(float() * xs.length)];
  const some = (xs, n) => {
    const pool = xs.slice();
    const out = [];
    while (out.length < n && pool.length) out.push(pool.splice(Math.floor(float() * pool.length), 1)[0]);
    return out;
  };
  return { float, int, one, some, p: (x) => float() < x };
}

const DEBIAN_PKGS = ['ca-certificates', 'curl', 'wget', 'git', 'gnupg', 'openssh-client', 'build-essential',
  'pkg-config', 'make', 'cmake', 'gcc', 'g++', 'libssl-dev', 'zlib1g-dev', 'libffi-dev', 'libpq-dev',
  'libxml2-dev', 'libjpeg-dev', 'libpng-dev', 'python3', 'python3-pip', 'jq', 'unzip', 'xz-utils', 'tzdata',
  'locales', 'tini', 'procps', 'iproute2', 'netcat-openbsd', 'less', 'file', 'rsync', 'sqlite3', 'graphviz'];
const SERVICES = ['api', 'web', 'worker', 'gateway', 'auth', 'billing', 'search', 'ingest', 'notifier', 'scheduler', 'reports', 'admin'];
const BUILDERS = [
  { image: 'golang:${GO_VERSION}-bookworm', lang: 'go' },
  { image: 'golang:1.22', lang: 'go' },
  { image: 'node:${NODE_VERSION}-bookworm', lang: 'node' },
  { image: 'node:20', lang: 'node' },
  { image: 'python:${PYTHON_VERSION}', lang: 'python' },
  { image: 'rust:1.79-bookworm', lang: 'rust' },
  { image: 'maven:3.9-eclipse-temurin-21', lang: 'java' },
];
const RUNTIMES = ['debian:bookworm-slim', 'ubuntu:24.04', 'node:20-bookworm-slim', 'python:3.12-slim',
  'eclipse-temurin:21-jre', '${BASE_IMAGE}'];

export function generateDockerfile(lines, seed = DEFAULT_SEED) {
  const R = makeRandom(seed * 1000003 + lines);
  const stages = []; // names, in order
  let n = 0; // stage counter

  const header = () => [
    '# syntax=docker/dockerfile:1',
    `# Benchmark Dockerfile: ${lines} lines, seed ${seed}, generator v${GENERATOR_VERSION}`,
    'ARG GO_VERSION=1.22.5',
    'ARG NODE_VERSION=20.15.1',
    'ARG PYTHON_VERSION=3.12',
    'ARG BASE_IMAGE=debian:bookworm-slim',
  ];

  // ---- instruction blocks ---------------------------------------------------------------
  const aptTidy = () => {
    const pkgs = R.some(DEBIAN_PKGS, R.int(3, 12)).sort();
    const mount = R.p(0.25) ? '--mount=type=cache,target=/var/cache/apt,sharing=locked ' : '';
    const out = [`RUN ${mount}set -eux; \\`, '    apt-get update; \\', '    apt-get install -y --no-install-recommends \\'];
    for (let i = 0; i < pkgs.length; i += 3) out.push(`        ${pkgs.slice(i, i + 3).join(' ')} \\`);
    out[out.length - 1] = out[out.length - 1].replace(/ \\$/, '; \\');
    out.push('    rm -rf /var/lib/apt/lists/*');
    return out;
  };
  const aptSloppy = () => {
    // leaves package lists and recommended packages behind
    const pkgs = R.some(DEBIAN_PKGS, R.int(2, 8));
    if (R.p(0.5)) return [`RUN apt-get update && apt-get install -y ${pkgs.join(' ')}`];
    return ['RUN apt-get update \\', `    && apt-get install -y ${pkgs.slice(0, 4).join(' ')} \\`,
      ...(pkgs.length > 4 ? [`       ${pkgs.slice(4).join(' ')} \\`] : []), '    && apt-get clean'];
  };
  const aptSplit = () => {
    const out = ['# system packages', 'RUN apt-get update', `RUN apt-get install -y ${R.some(DEBIAN_PKGS, R.int(1, 5)).join(' ')}`];
    if (R.p(0.3)) out.push(`RUN apt-get install -y --no-install-recommends ${R.some(DEBIAN_PKGS, 2).join(' ')}`);
    return out;
  };
  const shortRuns = () => {
    const pool = ['mkdir -p /opt/app/data /opt/app/logs', 'useradd --create-home --shell /bin/bash builder',
      'ln -sf /usr/share/zoneinfo/UTC /etc/localtime', 'echo "dash dash/sh boolean false" | debconf-set-selections',
      'chmod 0755 /usr/local/bin/entrypoint.sh', 'git config --global advice.detachedHead false',
      'update-ca-certificates', 'locale-gen en_US.UTF-8', 'touch /opt/app/.ready', 'rm -rf /tmp/* /var/tmp/*'];
    return R.some(pool, R.int(2, 4)).map((c) => `RUN ${c}`);
  };
  const fetchTool = () => {
    const tool = R.one(['kubectl', 'helm', 'yq', 'protoc', 'buf', 'grpcurl', 'migrate', 'dockerize']);
    const V = `${tool.toUpperCase()}_VERSION`;
    const out = [`ARG ${V}=${R.int(0, 3)}.${R.int(0, 40)}.${R.int(0, 12)}`];
    const steps = [`curl -fsSL -o /tmp/${tool}.tar.gz "https://downloads.example.org/${tool}/v\${${V}}/${tool}-linux-\${TARGETARCH:-amd64}.tar.gz"`,
      `tar -xzf /tmp/${tool}.tar.gz -C /usr/local/bin ${tool}`, `rm /tmp/${tool}.tar.gz`, `${tool} version || true`];
    if (R.p(0.35)) out.push(`RUN ${steps.join(' && ')}`);
    else {
      out.push('RUN set -eux \\');
      for (let i = 0; i < steps.length; i++) out.push(`    && ${steps[i]}${i < steps.length - 1 ? ' \\' : ''}`);
    }
    return out;
  };
  const env = () => {
    const out = [`ENV APP_NAME=${R.one(SERVICES)} \\`, `    APP_HOME=/opt/app \\`, '    PATH="/opt/app/bin:${PATH}" \\', '    LANG=C.UTF-8'];
    if (R.p(0.4)) out.unshift(`ARG APP_VERSION=${R.int(0, 4)}.${R.int(0, 30)}.${R.int(0, 9)}`);
    if (R.p(0.3)) out.push('ENV RELEASE=${APP_VERSION:-dev}');
    return out;
  };
  const labels = () => ['LABEL org.opencontainers.image.title="' + R.one(SERVICES) + '" \\',
    '      org.opencontainers.image.version="${APP_VERSION:-dev}" \\',
    '      org.opencontainers.image.source="https://git.example.org/platform/monorepo"'];
  const comments = () => R.one([
    ['# Keep this layer early: it changes rarely and caches well.'],
    ['# NOTE: versions are pinned by the release pipeline.', '# Do not bump them by hand.'],
    ['#'], ['# ---------------------------------------------------------------'],
  ]);
  const heredoc = () => (R.p(0.5)
    ? ['RUN <<EOF', 'set -eu', 'mkdir -p /opt/app/conf', 'echo "ready" > /opt/app/conf/state', 'EOF']
    : [`COPY <<EOT /opt/app/conf/app.ini`, '[http]', `port = ${8000 + R.int(0, 99)}`, 'timeout = 30s', 'EOT']);
  const issue = () => R.one([
    ['MAINTAINER Platform Team <platform@example.org>'],
    [`WORKDIR build${n}`],
    [`run echo "legacy step ${n}"`],
  ]);

  const buildSteps = (lang) => {
    switch (lang) {
      case 'go': return ['WORKDIR /src', 'COPY go.mod go.sum ./', 'RUN --mount=type=cache,target=/go/pkg/mod go mod download',
        'COPY . .', `RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/${R.one(SERVICES)} ./cmd/...`];
      case 'node': return ['WORKDIR /usr/src/app', 'COPY package.json package-lock.json ./', 'RUN npm ci',
        'COPY . .', 'RUN npm run build && npm prune --omit=dev'];
      case 'python': return ['WORKDIR /app', 'COPY requirements.txt .', 'RUN pip install --no-cache-dir -r requirements.txt',
        'COPY . .', 'RUN python -m compileall -q .'];
      case 'rust': return ['WORKDIR /src', 'COPY Cargo.toml Cargo.lock ./', 'COPY src ./src', 'RUN cargo build --release --locked'];
      default: return ['WORKDIR /build', 'COPY pom.xml .', 'RUN mvn -B -q dependency:go-offline', 'COPY src ./src', 'RUN mvn -B -q package -DskipTests'];
    }
  };

  const builderStage = () => {
    n++;
    const b = R.one(BUILDERS);
    const name = `${R.one(SERVICES)}-build-${n}`;
    const plat = R.p(0.2) ? '--platform=$BUILDPLATFORM ' : '';
    const kw = R.p(0.04) ? 'from' : 'FROM';
    const out = ['', `# ---- ${name} ----`, `${kw} ${plat}${b.image} ${kw === 'from' ? 'as' : 'AS'} ${name}`];
    const body = [aptTidy, aptSloppy, aptSplit, shortRuns, fetchTool, env, comments, heredoc, labels];
    for (let k = R.int(1, 4); k > 0; k--) out.push(...R.one(body)());
    if (R.p(0.08)) out.push(...issue());
    out.push(...buildSteps(b.lang));
    stages.push(name);
    return out;
  };

  const runtimeStage = () => {
    n++;
    const name = `${R.one(SERVICES)}-${n}`;
    const base = stages.length && R.p(0.2) ? R.one(stages.slice(-6)) : R.one(RUNTIMES);
    const out = ['', `# ---- ${name} ----`, `FROM ${base} AS ${name}`];
    const body = [aptTidy, aptTidy, aptSloppy, aptSplit, shortRuns, env, labels, comments, heredoc, fetchTool];
    for (let k = R.int(1, 3); k > 0; k--) out.push(...R.one(body)());
    if (stages.length) {
      const from = R.one(stages.slice(-5));
      out.push(`COPY --from=${from} /out/ /usr/local/bin/`);
      if (R.p(0.4)) out.push(`COPY --from=${from} --chown=10001:10001 /usr/src/app/dist /opt/app/dist`);
    }
    out.push(R.one(['COPY config/ /etc/app/', 'COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/entrypoint.sh',
      'ADD https://downloads.example.org/certs/ca-bundle.pem /etc/ssl/certs/extra.pem']));
    if (R.p(0.08)) out.push(...issue());
    if (R.p(0.6)) {
      out.push('RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app app');
      out.push(R.p(0.85) ? 'USER app' : 'USER 10001:10001');
    }
    out.push(`EXPOSE ${R.one([80, 3000, 8000, 8080, 9090])}`);
    if (R.p(0.3)) out.push('HEALTHCHECK --interval=30s --timeout=3s \\', '  CMD curl -fsS http://localhost:8080/healthz || exit 1');
    const cmd = R.float();
    if (cmd < 0.05) out.push("CMD ['/usr/local/bin/app', '--serve']");
    else if (cmd < 0.09) out.push('CMD ["/usr/local/bin/app"]', 'CMD ["/usr/local/bin/app", "--serve"]');
    else if (cmd < 0.4) out.push('ENTRYPOINT ["tini", "--", "/usr/local/bin/entrypoint.sh"]', 'CMD ["serve"]');
    else out.push(`CMD ["/usr/local/bin/${R.one(SERVICES)}", "--listen", ":8080"]`);
    stages.push(name);
    return out;
  };

  // The last stage builds and runs as root on an SDK image: every file, even the 10-line one, has
  // findings for our rules (multi-stage, non-root-user, apt-hygiene, merge-run) and a quick fix.
  const finalStage = () => [
    'FROM golang:1.22 AS app',
    'WORKDIR /src',
    'RUN apt-get update',
    'RUN apt-get install -y git make',
    'COPY . .',
    'RUN go build -o /usr/local/bin/app ./cmd/app',
    'CMD ["/usr/local/bin/app"]',
  ];

  const head = header();
  const tail = finalStage();
  const budget = lines - tail.length;
  const body = [];
  if (budget >= head.length) {
    body.push(...head);
    for (;;) {
      const chunk = R.p(0.55) ? builderStage() : runtimeStage();
      if (body.length + chunk.length > budget) break;
      body.push(...chunk);
    }
  } else {
    body.push(head[0]);
  }
  let pad = 0;
  while (body.length < budget) body.push(pad++ === 0 ? '' : `# reserved ${pad - 1}`);
  const all = body.concat(tail).slice(0, lines);
  return all.join('\n') + '\n';
}

export function writeCorpus(dir, sizes = DEFAULT_SIZES, seed = DEFAULT_SEED) {
  mkdirSync(dir, { recursive: true });
  return sizes.map((size) => {
    const text = generateDockerfile(size, seed);
    const file = join(dir, `gen-${size}.Dockerfile`);
    writeFileSync(file, text);
    return { size, file, bytes: Buffer.byteLength(text), text };
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const get = (k) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : undefined; };
  const seed = Number(get('--seed') ?? DEFAULT_SEED);
  if (get('--lines')) process.stdout.write(generateDockerfile(Number(get('--lines')), seed));
  else {
    const out = get('--out') ?? join(dirname(fileURLToPath(import.meta.url)), 'corpus');
    const sizes = get('--sizes') ? get('--sizes').split(',').map(Number) : DEFAULT_SIZES;
    for (const f of writeCorpus(out, sizes, seed)) console.log(`${f.file}\t${f.size} lines\t${f.bytes} bytes`);
  }
}
