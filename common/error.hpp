/*
 * error.hpp: readscale::Error, the one exception type core and glue throw for
 * user-facing errors, and Result<T> for expected bad input returned as a value.
 * An Error carries its SQLSTATE and PostgreSQL-style message parts (errmsg:
 * lower case, no period; detail and hint: full sentences); the boundary guard
 * reports it as ereport(ERROR) once every C++ object is gone.
 */
#pragma once

#include <exception>
#include <string>
#include <utility>
#include <variant>

namespace readscale {

class Error : public std::exception {
public:
	Error(std::string sqlstate, std::string message, std::string detail = {}, std::string hint = {})
	    : sqlstate_(std::move(sqlstate)), message_(std::move(message)), detail_(std::move(detail)),
	      hint_(std::move(hint)) {
	}

	const char *
	what() const noexcept override {
		return message_.c_str();
	}
	const std::string &
	sqlstate() const noexcept {
		return sqlstate_;
	}
	const std::string &
	message() const noexcept {
		return message_;
	}
	const std::string &
	detail() const noexcept {
		return detail_;
	}
	const std::string &
	hint() const noexcept {
		return hint_;
	}

private:
	std::string sqlstate_;
	std::string message_;
	std::string detail_;
	std::string hint_;
};

/* A value or the Error explaining why there is none. */
template <typename T>
class Result {
public:
	Result(T value) : state_(std::move(value)) {
	}
	Result(Error error) : state_(std::move(error)) {
	}

	bool
	ok() const noexcept {
		return state_.index() == 0;
	}
	const T &
	value() const {
		return std::get<0>(state_);
	}
	T &
	value() {
		return std::get<0>(state_);
	}
	const Error &
	error() const {
		return std::get<1>(state_);
	}
	/* The value, or throws the Error: for glue that lets the guard report it. */
	T
	take() {
		if (!ok())
			throw std::get<1>(state_);
		return std::move(std::get<0>(state_));
	}

private:
	std::variant<T, Error> state_;
};

} // namespace readscale

#include "common/cpp_only.hpp"
