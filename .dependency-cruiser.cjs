/**
 * Import boundaries of otto-ts (see docs/architecture.md): dependencies point downward only.
 *   cli → suites | fixtures | instructions → monitor → lab → hosts → docker → sessions | transfers → transports → common
 * (hosts sits above docker because ContainerHost drives containers; lab above hosts because a lab
 * builds hosts; monitor below suites because suites start monitors and mark events.)
 * Anything may import errors.ts and common/. No cycles anywhere.
 */
const LAYERS = [
  ['cli'],
  ['suites', 'fixtures', 'instructions'],
  ['monitor'],
  ['lab'],
  ['hosts'],
  ['docker'],
  ['sessions', 'transfers'],
  ['transports'],
  ['common'],
];

/** Every folder in a layer may import only folders of strictly lower layers (and errors.ts). */
function upwardRules() {
  const rules = [];
  LAYERS.forEach((layer, depth) => {
    const forbidden = LAYERS.slice(0, depth + 1).flat();
    for (const folder of layer) {
      const others = forbidden.filter((name) => name !== folder);
      if (others.length === 0) continue;
      rules.push({
        name: `no-upward-from-${folder}`,
        comment: `${folder}/ may import only lower layers: ${LAYERS.slice(depth + 1)
          .flat()
          .join(', ')}`,
        severity: 'error',
        from: { path: `^src/${folder}/` },
        to: { path: `^src/(${others.join('|')})/` },
      });
    }
  });
  return rules;
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles make start-up order and layering unclear.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'index-is-top',
      comment: 'src/index.ts re-exports the public API; nothing inside src imports it.',
      severity: 'error',
      from: { path: '^src/(?!index\\.ts$)' },
      to: { path: '^src/index\\.ts$' },
    },
    {
      name: 'errors-and-common-are-leaves',
      comment: 'errors.ts and common/ import nothing of ours but each other.',
      severity: 'error',
      from: { path: '^src/(errors\\.ts|common/)' },
      to: { path: '^src/(?!errors\\.ts|common/)' },
    },
    ...upwardRules(),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
