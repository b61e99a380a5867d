// Counter-based random streams: every simulated person draws from its own stream,
// derived from the run's seed and the person's index, so output never depends on the
// number of threads or on the order in which persons are simulated.
#ifndef VSV_SYNTH_RNG_H_
#define VSV_SYNTH_RNG_H_

#include <cmath>
#include <cstdint>
#include <vector>

namespace vsv::synth {

// One step of splitmix64: a good 64-bit mixer for deriving seeds.
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// xoshiro256** seeded from (seed, stream) through splitmix64.
class Rng {
 public:
  Rng(uint64_t seed, uint64_t stream) {
    uint64_t sm = seed * 0xD1342543DE82EF95ULL + stream * 0x9E3779B97F4A7C15ULL +
                  0x2545F4914F6CDD1DULL;
    SplitMix64(sm);
    for (uint64_t& w : s_) w = SplitMix64(sm);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Bernoulli(double p) { return Uniform() < p; }
  // Uniform integer in [0, n), n > 0.
  int UniformInt(int n) {
    return static_cast<int>((static_cast<unsigned __int128>(Next() >> 32) * n) >> 32);
  }
  // Uniform integer in [lo, hi].
  int Between(int lo, int hi) { return lo + UniformInt(hi - lo + 1); }
  // Standard normal (Box-Muller; the second value is discarded to keep the stream
  // position independent of call history).
  double Normal() {
    double u1 = Uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  // Index drawn from a cumulative weight table (last element = total).
  int PickCumulative(const std::vector<double>& cumulative) {
    const double x = Uniform() * cumulative.back();
    size_t lo = 0, hi = cumulative.size() - 1;
    while (lo < hi) {
      const size_t mid = (lo + hi) / 2;
      if (cumulative[mid] > x) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return static_cast<int>(lo);
  }
  // Index drawn from a small array of (not necessarily normalised) weights.
  template <typename Array>
  int PickWeights(const Array& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Uniform() * total;
    int i = 0;
    for (double w : weights) {
      if (x < w) return i;
      x -= w;
      ++i;
    }
    return i - 1;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

inline double Logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }
inline double Logit(double p) { return std::log(p / (1.0 - p)); }

}  // namespace vsv::synth

#endif  // VSV_SYNTH_RNG_H_
