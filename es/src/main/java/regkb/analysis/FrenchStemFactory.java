package regkb.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.tartarus.snowball.ext.FrenchStemmer;

/**
 * Lucene's Snowball French. tantivy's Stemmer("french") is the newer Snowball 3
 * algorithm, which may conflate some words differently, so the fields that decide matches receive French stems
 * computed in Python (config/search.yaml `shared_stems`); this filter only serves highlighting.
 */
@NamedComponent("regkb_french_stem")
public class FrenchStemFactory implements TokenFilterFactory {
    @Override
    public TokenStream create(TokenStream in) {
        return new SnowballFilter(in, new FrenchStemmer());
    }
}
