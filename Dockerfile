# haltless-mock: the Haltless API emulator. No build step of its own: bin/bundle.mjs (esbuild, a runtime dependency) bundles the sources on first start.
FROM node:20-slim

ENV NODE_ENV=production
WORKDIR /app

COPY package*.json .npmrc ./
# no install scripts: esbuild needs none, and @scarf/scarf (under swagger-ui-dist) would phone home
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

COPY bin/ ./bin/
COPY src/ ./src/
COPY scenarios/ ./scenarios/
# the start-up bundle (bin/bundle.mjs), built now so that containers start from it
RUN node bin/haltless-mock.js --version

USER node
EXPOSE 4010

# Exactly the command the README documents. An entrypoint, so that arguments after the image name are
# appended to it (`docker run IMAGE --seed 42 --no-demo`) instead of replacing it.
ENTRYPOINT ["node", "bin/haltless-mock.js", "--host", "0.0.0.0"]
