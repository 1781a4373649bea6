// Request validation with TypeBox's compiled checkers: bodies are checked strictly (no type coercion: `"name": 5` is an error), querystrings and path parameters are converted from text first (`limit=2` → 2).
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { FastifySchemaValidationError } from 'fastify';
import type { FastifyRouteSchemaDef } from 'fastify/types/schema.js';

/** A Fastify validator compiler over TypeBox: each route schema is compiled once. */
export function typeboxValidatorCompiler({ schema, httpPart }: FastifyRouteSchemaDef<TSchema>) {
  const checker = TypeCompiler.Compile(schema);
  const convert = httpPart === 'querystring' || httpPart === 'params' || httpPart === 'headers';
  return (data: unknown): { value?: unknown; error?: FastifySchemaValidationError[] } => {
    const value = convert ? Value.Convert(schema, data) : data;
    if (checker.Check(value)) return { value };
    const first = checker.Errors(value).First();
    return {
      error: [
        {
          keyword: 'typebox',
          instancePath: first?.path ?? '',
          schemaPath: '',
          params: {},
          message: (first?.message ?? 'is invalid').replace(/^Expected/, 'expected'),
        },
      ],
    };
  };
}
