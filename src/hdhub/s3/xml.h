// Just enough XML for S3's answers (ListObjectsV2, CreateMultipartUpload,
// CompleteMultipartUpload, Error): the text of elements by tag name. S3
// responses are flat and never use CDATA or attributes we need; entities
// (&amp; &lt; &gt; &quot; &apos; &#N; &#xN;) are decoded.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hdhub::s3 {

// The decoded text of every <tag>...</tag> in `xml`, in document order.
// Elements nested inside others are found too (<Contents><Key>).
std::vector<std::string> XmlTexts(std::string_view xml, std::string_view tag);

// The first of XmlTexts, if any.
std::optional<std::string> XmlText(std::string_view xml, std::string_view tag);

// Escapes & < > " ' for element text.
std::string XmlEscape(std::string_view text);

}  // namespace hdhub::s3
