# RUN: %python %s | filecheck %s
# ruff: noqa: E501 - CHECK lines quote whole IR lines
# range() loops: a positive constant step on a signed type without break/continue/return is scf.for;
# everything else (negative or runtime steps, unsigned types, exits) is scf.while.
import khal
from khal import Array, f32, i32, u32


@khal.kernel
def for_loops(a: Array[f32], n: i32, m: u32, s: i32):
    acc = 0.0
    for i in range(n):
        acc += a[i]
    for j in range(10, 0, -2):
        acc += f32(j)
    for k in range(m):
        acc += a[k]
    for _t in range(0, n, s):
        acc -= 1.0
    a[0] = acc


# CHECK-LABEL: khal.kernel @for_loops
# CHECK:       %acc = arith.constant 0.000000e+00 : f32
# CHECK:       %[[ACC1:.*]] = scf.for %i = %{{.*}} to %n step %{{.*}} iter_args(%[[A:.*]] = %acc) -> (f32) : i32 {
# CHECK:         khal.load %a[%i]
# CHECK:         scf.yield
# Negative constant step: count down with a signed `>` test.
# CHECK:       scf.while (%{{.*}} = %[[ACC1]], %[[J:.*]] = %{{.*}}) : (f32, i32) -> (f32, i32) {
# CHECK:         %[[C:.*]] = arith.cmpi sgt, %[[J]], %{{.*}} : i32
# CHECK:         scf.condition(%[[C]])
# CHECK:       } do {
# CHECK:         arith.sitofp
# CHECK:         %{{.*}} = arith.addi %{{.*}}, %{{.*}} : i32
# CHECK:         scf.yield
# Unsigned range: unsigned compare.
# CHECK:       scf.while
# CHECK:         arith.cmpi ult, %{{.*}}, %m : i32
# Runtime step: the direction is the sign of the step.
# CHECK:       scf.while
# CHECK:         %[[UP:.*]] = arith.cmpi slt, %{{.*}}, %n : i32
# CHECK:         %[[DOWN:.*]] = arith.cmpi sgt, %{{.*}}, %n : i32
# CHECK:         %[[POS:.*]] = arith.cmpi sgt, %s, %{{.*}} : i32
# CHECK:         %[[GO:.*]] = arith.select %[[POS]], %[[UP]], %[[DOWN]] : i1
# CHECK:         scf.condition(%[[GO]])
# CHECK:         arith.addi %{{.*}}, %s : i32


@khal.kernel
def break_continue(a: Array[f32], n: i32):
    acc = 0.0
    for i in range(n):
        if a[i] < 0.0:
            continue
        if a[i] > 100.0:
            break
        acc += a[i]
    a[0] = acc


# The break flag is carried and and-ed with the range test; continue skips the rest of the body
# by guarding it with `not (brk or cont)`.
# CHECK-LABEL: khal.kernel @break_continue
# CHECK:       %[[F:.*]] = arith.constant false
# CHECK:       scf.while (%[[ACC:.*]] = %acc, %[[IT:.*]] = %{{.*}}, %[[BRK:.*]] = %[[F]]) : (f32, i32, i1) -> (f32, i32, i1) {
# CHECK:         %[[NB:.*]] = arith.xori %[[BRK]], %{{.*}} : i1
# CHECK-NEXT:    %[[LT:.*]] = arith.cmpi slt, %[[IT]], %n : i32
# CHECK-NEXT:    %[[GO:.*]] = arith.andi %[[NB]], %[[LT]] : i1
# CHECK-NEXT:    scf.condition(%[[GO]])
# CHECK:       } do {
# CHECK:         %[[CONT:.*]] = scf.if %{{.*}} -> (i1) {
# CHECK:         %[[ANY:.*]] = arith.ori %{{.*}}, %[[CONT]] : i1
# CHECK:         %[[REST:.*]] = arith.xori %[[ANY]], %{{.*}} : i1
# CHECK:         scf.if %[[REST]] -> (f32, i1) {
# CHECK:           arith.addf
# CHECK:         arith.addi


@khal.kernel
def while_loop(a: Array[f32]):
    k = 0
    while k < 10 and a[k] > 0.0:
        k += 1
    a[0] = f32(k)


# The `and` short-circuits inside the before region, so a[k] is only read when k < 10.
# CHECK-LABEL: khal.kernel @while_loop
# CHECK:       %[[K:.*]] = scf.while (%[[KK:.*]] = %k) : (i32) -> i32 {
# CHECK:         %[[LT:.*]] = arith.cmpi slt, %[[KK]], %{{.*}} : i32
# CHECK:         %[[C:.*]] = scf.if %[[LT]] -> (i1) {
# CHECK:           khal.load %a[%[[KK]]]
# CHECK:         } else {
# CHECK:           arith.constant false
# CHECK:         scf.condition(%[[C]]) %[[KK]] : i32
# CHECK:       } do {
# CHECK:         arith.addi
# CHECK:       arith.sitofp %[[K]]

for k in (for_loops, break_continue, while_loop):
    print(k.ir())
