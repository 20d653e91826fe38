# RUN: %python %s | filecheck %s
# ruff: noqa: E501 - CHECK lines quote whole IR lines
# @khal.func device functions become private func.func (so LLVM makes them internal and inlines them),
# called with func.call; each is emitted once even when called from several places, and functions they
# call come along.
import khal
import khal.std as ks
from khal import Array, Vec3, f32, u32

EPS = 1e-6


@khal.func
def sq(x: f32) -> f32:
    return x * x


@khal.func
def norm2(v: Vec3) -> f32:
    return sq(v.x) + sq(v.y) + sq(v.z)


@khal.func
def bump(a: Array[f32], i: u32):
    a[i] += EPS


@khal.kernel
def use(a: Array[f32], vs: Array[Vec3]):
    i = ks.global_invocation_id().x
    a[i] = norm2(vs[i]) + sq(a[i])
    bump(a, i)


print(use.ir())
print(sq.ir())

# CHECK-LABEL: khal.kernel @use
# CHECK:       func.call @norm2(%{{.*}}) : (vector<3xf32>) -> f32
# CHECK:       func.call @sq(%{{.*}}) : (f32) -> f32
# CHECK:       func.call @bump(%a, %i) : (!khal.array<f32, read_write>, i32) -> ()
# A callee is finished (and emitted) before its caller.
# CHECK:       func.func private @sq(%x: f32) -> f32 {
# CHECK-NEXT:    %[[R:.*]] = arith.mulf %x, %x : f32
# CHECK-NEXT:    func.return %[[R]] : f32
# CHECK:       func.func private @norm2(%v: vector<3xf32>) -> f32 {
# CHECK:         func.call @sq
# CHECK:       func.func private @bump(%a: !khal.array<f32, read_write>, %i: i32) {
# CHECK:         arith.constant 1.000000e-06 : f32
# CHECK:         func.return
# CHECK-NOT:   func.func {{.*}}@sq
# `sq.ir()` alone:
# CHECK:       builtin.module {
# CHECK-NEXT:    func.func private @sq(%x: f32) -> f32 {
