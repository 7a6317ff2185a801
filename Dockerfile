# The dockerfile-lean CLI as an image (the language server is in it too: dist/server.js).
#   docker build -t dockerfile-lean .
#   docker run --rm -i dockerfile-lean check - < Dockerfile
#   docker run --rm -v "$PWD:/work:ro" dockerfile-lean check --format sarif .
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Install scripts are not needed: the build uses esbuild's platform package and tree-sitter-bash's wasm only.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY scripts/build.mjs scripts/
COPY client/src client/src
COPY server/src server/src
# The VS Code client and the GitHub Action's entry are of no use in the image.
RUN node scripts/build.mjs --production && rm dist/extension.js dist/action.js

FROM node:20-bookworm-slim
COPY --from=build /src/dist/ /opt/dockerfile-lean/dist/
COPY LICENSE /opt/dockerfile-lean/
USER node
# One run as the image's user writes the V8 code cache to its ~/.cache (dist/ is root's), so every container
# starts warm.
RUN node /opt/dockerfile-lean/dist/cli.js check - < /dev/null
WORKDIR /work
ENTRYPOINT ["node", "/opt/dockerfile-lean/dist/cli.js"]
CMD ["--help"]
