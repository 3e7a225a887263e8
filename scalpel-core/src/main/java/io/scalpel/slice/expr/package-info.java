/**
 * The query language of {@code slice --query} and {@code flows --query}: hosts, networks, ports,
 * protocols, VLANs and times combined with {@code and}, {@code or}, {@code not} and parentheses.
 * {@link io.scalpel.slice.expr.ExpressionParser} reads the text (an error names its column:
 * {@link io.scalpel.slice.expr.ExpressionException}), {@link io.scalpel.slice.expr.Expression} is
 * what it means, evaluated on a {@link io.scalpel.slice.expr.Expression.Subject}: one IP layer of
 * a frame, or one row of the index's flows table, in three values (a flow row's time span, a
 * fragment without ports, can leave a term undecided). {@link io.scalpel.slice.expr.TimeText}
 * reads the times of {@code after}/{@code before} and of {@code --from}/{@code --to}.
 *
 * <p>Entry points: {@link io.scalpel.slice.expr.ExpressionParser#parse},
 * {@link io.scalpel.slice.expr.TimeText#parse}.
 *
 * <p>Part of the {@code slice} stage: depends on {@code decode} only.
 */
package io.scalpel.slice.expr;
