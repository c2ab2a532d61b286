'use strict';

// sequelize-cli configuration: every environment reads DATABASE_URL
// (production included), falling back to the embedded SQLite file locally.
const path = require('path');
const { sequelizeOptionsFromUrl, databaseUrlFor } = require('./connection');

const baseDir = path.join(__dirname, '..');

function configFor(env) {
  const url = databaseUrlFor(env);
  if (!url) {
    // sequelize-cli loads every environment; fail only when one is used.
    return { get dialect() { throw new Error('DATABASE_URL is required'); } };
  }
  return { ...sequelizeOptionsFromUrl(url, baseDir), seederStorage: 'sequelize', logging: false };
}

module.exports = {
  development: configFor('local'),
  local: configFor('local'),
  unittest: configFor('unittest'),
  test: configFor('unittest'),
  production: configFor('prod'),
  prod: configFor('prod'),
};
