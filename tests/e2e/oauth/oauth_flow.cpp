#include "oauth/oauth_flow.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "support/api.hpp"

namespace messenger::e2e {

namespace {
constexpr int kMaxHops = 20;
}

std::string UniqueLogin(const std::string& prefix) { return prefix + UniqueSuffix(); }

std::string GatewayBase() {
  const char* url = std::getenv("GATEWAY_URL");
  std::string base = url && *url ? url : "http://127.0.0.1:18080";
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

BrowserResponse Authorize(Browser& browser, const std::string& provider, const std::string& query) {
  return browser.Get(GatewayBase() + "/v1/auth/oauth/" + provider + "/authorize" + query);
}

std::string WalkProviderPages(Browser& browser, const std::string& authorization_url,
                              const std::string& login, const std::string& password) {
  const std::string back_home = GatewayBase() + "/v1/auth/oauth/";
  std::string url = authorization_url;
  for (int hop = 0; hop < kMaxHops; ++hop) {
    if (url.rfind(back_home, 0) == 0) return url;
    BrowserResponse page = browser.Get(url);
    if (page.IsRedirect()) {
      url = page.Location();
      continue;
    }
    if (page.status != 200) {
      ADD_FAILURE() << "GET " << url << " answered " << page.status << ": " << page.body;
      return {};
    }
    // A page with a form: the login form, or the consent form.
    BrowserResponse submitted;
    bool found = false;
    for (const HtmlForm& form : FindForms(page.body)) {
      const std::string action = ResolveUrl(url, form.action);
      if (form.method != "post") continue;
      if (action.size() >= 6 && action.compare(action.size() - 6, 6, "/login") == 0) {
        auto fields = form.inputs;
        fields.emplace_back("login", login);
        fields.emplace_back("password", password);
        submitted = browser.PostForm(action, fields);
        found = true;
        break;
      }
      if (action.size() >= 8 && action.compare(action.size() - 8, 8, "/confirm") == 0) {
        submitted = browser.PostForm(action, form.inputs);
        found = true;
        break;
      }
    }
    if (!found) {
      ADD_FAILURE() << "no login or consent form at " << url << ": " << page.body;
      return {};
    }
    if (!submitted.IsRedirect()) {
      ADD_FAILURE() << "the provider did not accept the form at " << url << " (" << submitted.status
                    << "): " << submitted.body;
      return {};
    }
    url = submitted.Location();
  }
  ADD_FAILURE() << "no way back to the gateway after " << kMaxHops << " hops; last at " << url;
  return {};
}

std::string SignInUpToCallback(Browser& browser, const std::string& provider, const std::string& login) {
  BrowserResponse start = Authorize(browser, provider);
  if (start.status != 302 || start.Location().empty()) {
    ADD_FAILURE() << "authorize answered " << start.status << ": " << start.body;
    return {};
  }
  return WalkProviderPages(browser, start.Location(), login);
}

BrowserResponse SignInWithProvider(const std::string& provider, const std::string& login) {
  Browser browser;
  const std::string callback = SignInUpToCallback(browser, provider, login);
  if (callback.empty()) return {};
  return browser.Get(callback);
}

ProviderSession MustSignIn(const std::string& provider, const std::string& login) {
  BrowserResponse answer = SignInWithProvider(provider, login);
  if (answer.status != 200) {
    ADD_FAILURE() << "sign-in of " << login << " at " << provider << " answered " << answer.status << ": "
                  << answer.body;
    return {};
  }
  const boost::json::value json = answer.Json();
  const auto& body = json.as_object();
  return ProviderSession{std::string(body.at("user_id").as_string()),
                         std::string(body.at("access_token").as_string()),
                         std::string(body.at("refresh_token").as_string())};
}

boost::json::value WaitForProfile(const std::string& access_token) {
  boost::json::value profile;
  const bool found = Eventually([&] {
    HttpResponse me = Gateway().Get("/v1/me", access_token);
    if (me.status != 200) return false;
    profile = me.Json();
    return true;
  });
  if (!found) ADD_FAILURE() << "the profile did not appear";
  return profile;
}

}  // namespace messenger::e2e
