// transfer: the state of one HTTP transfer (an easy handle plus what its callbacks
// collect) and the code that sets its curl options and turns its end into a response.
// Internal to core/http: the multi/uv glue lives in http_client.cpp. Nothing here
// touches the multi handle or calls the caller's `done`.
#pragma once
#include <curl/curl.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>

#include "core/handles.h"
#include "core/result.h"
#include "core/uv_handle.h"
#include "core/http/http_client.h"

namespace frugal::http {

struct transfer {
  request_id id = 0;
  uv_loop_t* loop = nullptr;
  void* owner = nullptr;  // the client::impl, for the stall timer's callback
  request req;
  std::function<void(response)> done;
  curl_easy_ptr easy;
  curl_slist_ptr headers;
  response resp;
  size_t received = 0;         // body bytes so far, kept or not
  uint64_t last_activity = 0;  // uv_now() of the last byte received
  uv_owned<uv_timer_t> stall;  // fires when nothing arrived for first_byte_timeout_ms
  bool added = false;          // the easy handle is in the multi handle
  bool cancelled = false;      // cancel() was called while curl was running callbacks
  bool too_large = false;      // the write callback refused more than max_response_bytes
  bool callback_threw = false;
  std::string refused_address;  // set when public_only refused a resolved address
  char errbuf[CURL_ERROR_SIZE] = {};
};

// Creates the easy handle and sets every option from t.req (timeouts, size cap, TLS
// verification, protocols, redirects, callbacks, CURLOPT_PRIVATE = &t). The transfer
// must not move afterwards. Fails on a malformed method or a refused option.
status configure_transfer(transfer& t);

// Fills t.resp from the finished easy handle and curl's result code: status, failure,
// error text (method and URL without query or credentials, never headers), request_sent
// and retry_after_ms. Returns the response, moved out of t.
response finish_response(transfer& t, CURLcode code);

// The same for an end decided outside curl (cancel, stall timer, setup failure).
response finish_response(transfer& t, failure f, const std::string& why);

// "https://host/path" from a URL: no user:password@, no ?query, no #fragment.
std::string safe_url(const std::string& url);

}  // namespace frugal::http
