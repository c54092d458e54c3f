/**
 * One row of the control plane's table: its method and path, what the OpenAPI document says of it,
 * the zod schemas its input is validated with and the handler that gets the validated input. The
 * same rows register the routes, validate their input and generate the document, so none of the
 * three can drift from the others.
 */
import type { Context } from "hono";
import type { MockContext } from "../context.ts";
import type * as z from "../zod.ts";

type Schema = z.core.$ZodType;
type Output<S> = S extends Schema ? z.output<S> : undefined;

/** What a handler gets: each part its row has a schema for, validated; the others undefined. */
export interface RouteInput<P = unknown, Q = unknown, B = unknown> {
  params: P;
  query: Q;
  body: B;
}

export interface ControlRoute<
  P extends Schema | undefined = Schema | undefined,
  Q extends z.core.$ZodObject | undefined = z.core.$ZodObject | undefined,
  B extends Schema | undefined = Schema | undefined,
> {
  method: "get" | "put" | "post" | "patch" | "delete";
  /** Relative to the control prefix, with `{name}` for a path parameter, e.g. `/faults/{id}`. */
  path: string;
  summary: string;
  /** The path parameters, validated first; the document lists each as a string. */
  params?: P;
  query?: Q;
  body?: B;
  responses: Record<number, string>;
  handle(c: Context, ctx: MockContext, input: RouteInput<Output<P>, Output<Q>, Output<B>>): Response | Promise<Response>;
}

/** A row, with its handler's input typed from its schemas. */
export const route = <
  P extends Schema | undefined = undefined,
  Q extends z.core.$ZodObject | undefined = undefined,
  B extends Schema | undefined = undefined,
>(
  row: ControlRoute<P, Q, B>,
): ControlRoute => row as ControlRoute;

/** The 400 every row with a body may answer. */
export const invalidBodyText = "The body is invalid: each problem's field, value and what was expected";
