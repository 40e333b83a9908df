package regkb.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.tartarus.snowball.ext.EnglishStemmer;

/**
 * Lucene's Snowball English (Porter2, an older Snowball version than tantivy's: it conflates e.g. "internal" and
 * "international"). Matching fields therefore receive stems computed in Python (config/search.yaml
 * `shared_stems`); this filter serves the highlighted text fields.
 */
@NamedComponent("regkb_english_stem")
public class EnglishStemFactory implements TokenFilterFactory {
    @Override
    public TokenStream create(TokenStream in) {
        return new SnowballFilter(in, new EnglishStemmer());
    }
}
