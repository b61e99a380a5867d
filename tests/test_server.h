// A vsv server on a free loopback port, run on its own thread: the one way the API
// tests start and stop a real server.
#ifndef VSV_TESTS_TEST_SERVER_H_
#define VSV_TESTS_TEST_SERVER_H_

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "server/server.h"

namespace vsv::test {

class TestServer {
 public:
  // Binds a free port and serves until Stop(); an error message when the server
  // does not bind or is not running within two seconds, else "".
  std::string Start(server::ServerContext& context, server::ServerOptions options) {
    options.port = 0;
    server_ = std::make_unique<server::Server>(context, options);
    auto port = server_->Bind();
    if (!port) return port.error().message;
    port_ = *port;
    thread_ = std::thread([this] { server_->Run(); });
    for (int i = 0; i < 200 && !server_->running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return server_->running() ? "" : "the server did not start within 2 s";
  }
  void Stop() {
    if (!server_) return;
    server_->Stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }
  int port() const { return port_; }
  server::Server& server() { return *server_; }

 private:
  std::unique_ptr<server::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace vsv::test

#endif  // VSV_TESTS_TEST_SERVER_H_
