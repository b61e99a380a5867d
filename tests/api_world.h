// A whole vsv server to throw requests at: a registry as the loader accepted it, a
// SQLite register with one user per role and open cases, and the server on a free
// loopback port. The API property test (tests/api/api_property_test.cc) and the HTTP
// fuzz target (tests/fuzz/fuzz_api.cc) both build their requests with MakeCall, from
// every route's own description (path, parameters, body fields), so a new route is
// exercised without being listed here.
#ifndef VSV_TESTS_API_WORLD_H_
#define VSV_TESTS_API_WORLD_H_

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/result.h"
#include "server/api.h"

namespace vsv::test {

// Where MakeCall's choices come from: a seeded generator (the property test) or the
// fuzzer's input bytes.
class Choices {
 public:
  virtual ~Choices() = default;
  // A number in [0, n); n > 0.
  virtual size_t Pick(size_t n) = 0;
  // Any bytes (not necessarily UTF-8), at most `max` of them.
  virtual std::string Bytes(size_t max) = 0;
};

class RandomChoices : public Choices {
 public:
  explicit RandomChoices(uint64_t seed) : rng_(seed) {}
  size_t Pick(size_t n) override { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  std::string Bytes(size_t max) override;

 private:
  std::mt19937_64 rng_;
};

// Values that mean something to this server: codes that exist, the register's
// users and cases.
struct Vocabulary {
  std::vector<std::string> regions, municipalities, brins, years, dates, case_ids, user_names, person_ids;
};

struct ApiCall {
  std::string method;  // GET, POST, PATCH, PUT or DELETE
  std::string target;  // path and query, percent-encoded
  std::string body;    // JSON, or any bytes
  std::string who;     // the user whose session is sent; "" for none
  bool csrf = true;    // send the session's CSRF token
  std::map<std::string, std::string> headers;
  std::string Describe() const;  // for failure messages
};

// Every value worth trying for a query parameter: the hard cases, the catalogue's
// enum and example, and what exists in `words` for this name.
std::vector<std::string> CandidateValues(const std::string& name, const std::string& catalogue_name,
                                         const Vocabulary& words);
// The route's path with its {captures} filled in (mostly values that exist), encoded.
std::string FillPath(const server::RouteSpec& route, const Vocabulary& words, Choices& choose);
// Every byte but A-Z a-z 0-9 - . _ ~ as %XX.
std::string PercentEncode(std::string_view text);

// One request to one of `routes`: mostly well-formed (the route's own parameters and
// body fields, with values from `words`, the catalogue or hard cases), sometimes not.
ApiCall MakeCall(const std::vector<server::RouteSpec>& routes, const Vocabulary& words, Choices& choose);

struct Answer {
  int status = 0;  // 0: no answer (connection failed)
  std::string content_type, body;
};

class ApiWorld {
 public:
  // Loads the registry in `data_dir` (an error when the loader refuses it), opens a
  // register in `work_dir` and starts the server.
  static Result<std::unique_ptr<ApiWorld>> Start(const std::string& data_dir, const std::string& work_dir,
                                                 const std::string& reference_dir);
  ~ApiWorld();

  Answer Send(const ApiCall& call);
  const Vocabulary& words() const { return words_; }
  const std::vector<server::RouteSpec>& routes() const;
  // The users that MakeCall may name in ApiCall::who, one per role.
  static const std::vector<std::string>& UserNames();

 private:
  struct Parts;
  explicit ApiWorld(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
  Vocabulary words_;
};

// Why an answer is not acceptable for any request ("" when it is): a 5xx, no
// answer, or a JSON body that does not parse.
std::string AnswerProblem(const Answer& answer);

}  // namespace vsv::test

#endif  // VSV_TESTS_API_WORLD_H_
